# OpenSearch Service for event search (lib/search.ts): inside the VPC, encrypted at rest and between
# nodes, HTTPS only. Fine-grained access control is OFF: lib/search.ts sends unsigned requests with
# no credentials, which a fine-grained domain (basic auth) or an IAM-principal access policy (SigV4)
# would refuse. The access policy therefore admits any principal, and the network is the guard: a VPC
# endpoint whose security group admits only the EKS nodes.

resource "aws_security_group" "this" {
  name        = "${var.name}-opensearch"
  description = "OpenSearch ${var.name}: HTTPS from the EKS nodes only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_eks_nodes" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "OpenSearch HTTPS from the EKS nodes"
}

locals {
  dedicated_masters = var.dedicated_master_type != null
}

resource "aws_opensearch_domain" "this" {
  domain_name    = var.name
  engine_version = var.engine_version

  cluster_config {
    instance_type          = var.instance_type
    instance_count         = var.instance_count
    zone_awareness_enabled = true

    zone_awareness_config {
      availability_zone_count = length(var.subnet_ids)
    }

    dedicated_master_enabled = local.dedicated_masters
    dedicated_master_type    = var.dedicated_master_type
    dedicated_master_count   = local.dedicated_masters ? 3 : null
  }

  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = var.volume_gib
  }

  vpc_options {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  encrypt_at_rest {
    enabled = true
  }

  node_to_node_encryption {
    enabled = true
  }

  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
  }

  advanced_security_options {
    enabled = false
  }
}

data "aws_iam_policy_document" "access" {
  statement {
    actions   = ["es:ESHttp*"]
    resources = ["${aws_opensearch_domain.this.arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_opensearch_domain_policy" "this" {
  domain_name     = aws_opensearch_domain.this.domain_name
  access_policies = data.aws_iam_policy_document.access.json
}
