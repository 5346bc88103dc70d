# ElastiCache for Redis OSS: waiting-room counters, seat locks, the seat-map cache, BullMQ queues and
# Socket.IO pub/sub. TLS in transit always (REDIS_URL rediss://, chart value redis.tls=true); Multi-AZ
# with automatic failover. Cluster mode is one switch: the keys are already hash-tagged per event
# ({wr:<event>}, {bk:<event>}), but the app as the chart deploys it uses a single-node client, so it
# stays off until the app runs its cluster client.
# Durability: replication is asynchronous, so a failover may lose the last writes the primary
# acknowledged (hold requests and their BullMQ jobs among them); snapshots are daily. MemoryDB (a
# durable multi-AZ log before each acknowledgement) closes that gap: docs/reliability.md.

resource "aws_security_group" "this" {
  name        = "${var.name}-redis"
  description = "ElastiCache ${var.name}: Redis from the EKS nodes only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_eks_nodes" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  description                  = "Redis (TLS) from the EKS nodes"
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

locals {
  port = 6379
}

# BullMQ needs noeviction: the default volatile-lru could evict queue keys, losing accepted jobs (and
# with them the "no acknowledged request is lost" invariant); queue numbers and seat locks likewise.
resource "aws_elasticache_parameter_group" "this" {
  name   = "${var.name}-redis7${var.cluster_mode ? "-cluster" : ""}"
  family = "redis7"

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }

  dynamic "parameter" {
    for_each = var.cluster_mode ? ["yes"] : []
    content {
      name  = "cluster-enabled"
      value = parameter.value
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "Corral: waiting room, seat locks, seat-map cache, BullMQ, Socket.IO pub/sub"
  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = local.port
  parameter_group_name = aws_elasticache_parameter_group.this.name
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  security_group_ids   = [aws_security_group.this.id]

  automatic_failover_enabled = true
  multi_az_enabled           = true

  # Cluster mode off: one primary plus replicas. On: shards, each with its replicas.
  num_cache_clusters      = var.cluster_mode ? null : var.replicas_per_shard + 1
  num_node_groups         = var.cluster_mode ? var.shards : null
  replicas_per_node_group = var.cluster_mode ? var.replicas_per_shard : null

  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = var.auth_token

  snapshot_retention_limit = var.snapshot_retention_days
}
