# MSK: the topics of lib/kafka.ts TOPICS (created by the chart's migrate hook, provision-cli, never by
# Terraform or by auto-create). kafkajs can speak plaintext, TLS and SASL/SCRAM but not IAM (that needs
# a plugin), and lib/kafka.ts passes neither `ssl` nor `sasl` today, so "plaintext" (9092, no client
# auth, reachable only from the EKS nodes) is the default; "sasl_scram" (TLS + SCRAM-SHA-512 on 9096)
# is ready for when the client passes credentials. Broker-to-broker traffic is always TLS.

locals {
  scram = var.client_auth == "sasl_scram"
  # plaintext mode also opens the TLS listener (TLS_PLAINTEXT), so moving the client to TLS needs no
  # cluster change.
  client_ports = local.scram ? [9096] : [9092, 9094]
}

resource "aws_security_group" "this" {
  name        = "${var.name}-msk"
  description = "MSK ${var.name}: Kafka from the EKS nodes only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_eks_nodes" {
  for_each = toset([for port in local.client_ports : tostring(port)])

  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  description                  = "Kafka ${each.value} from the EKS nodes"
}

# Topics come from provision-cli with the chart's partition count and replication factor 3; these are
# the cluster's guards: no auto-created topic, and an acknowledged write sits on two replicas (the
# relays' idempotent producers send acks=all).
resource "aws_msk_configuration" "this" {
  name           = "${var.name}-kafka"
  kafka_versions = [var.kafka_version]

  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=3
    min.insync.replicas=2
    unclean.leader.election.enable=false
  PROPERTIES

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.broker_count

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.this.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.broker_volume_gib
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  encryption_info {
    encryption_in_transit {
      client_broker = local.scram ? "TLS" : "TLS_PLAINTEXT"
      in_cluster    = true
    }
  }

  client_authentication {
    unauthenticated = !local.scram

    dynamic "sasl" {
      for_each = local.scram ? [true] : []
      content {
        scram = sasl.value
      }
    }
  }
}

# --- SASL/SCRAM credentials (kafka_client_auth = "sasl_scram" only) ------------------------------
# MSK reads SCRAM users from Secrets Manager secrets named AmazonMSK_* and encrypted with a customer
# managed KMS key (the default aws/secretsmanager key is refused).

resource "aws_kms_key" "scram" {
  count = local.scram ? 1 : 0

  description         = "MSK ${var.name} SASL/SCRAM secrets"
  enable_key_rotation = true
}

resource "random_password" "scram" {
  count = local.scram ? 1 : 0

  length  = 32
  special = false
}

resource "aws_secretsmanager_secret" "scram" {
  count = local.scram ? 1 : 0

  name       = "AmazonMSK_${var.name}"
  kms_key_id = aws_kms_key.scram[0].key_id
}

resource "aws_secretsmanager_secret_version" "scram" {
  count = local.scram ? 1 : 0

  secret_id     = aws_secretsmanager_secret.scram[0].id
  secret_string = jsonencode({ username = "corral", password = random_password.scram[0].result })
}

data "aws_iam_policy_document" "scram_secret" {
  count = local.scram ? 1 : 0

  statement {
    sid       = "AWSKafkaResourcePolicy"
    actions   = ["secretsmanager:getSecretValue"]
    resources = [aws_secretsmanager_secret.scram[0].arn]

    principals {
      type        = "Service"
      identifiers = ["kafka.amazonaws.com"]
    }
  }
}

# MSK attaches this policy itself on association; declaring it keeps plans free of drift.
resource "aws_secretsmanager_secret_policy" "scram" {
  count = local.scram ? 1 : 0

  secret_arn = aws_secretsmanager_secret.scram[0].arn
  policy     = data.aws_iam_policy_document.scram_secret[0].json
}

resource "aws_msk_scram_secret_association" "this" {
  count = local.scram ? 1 : 0

  cluster_arn     = aws_msk_cluster.this.arn
  secret_arn_list = [aws_secretsmanager_secret.scram[0].arn]

  depends_on = [aws_secretsmanager_secret_version.scram]
}
