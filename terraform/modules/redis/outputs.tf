output "host" {
  description = "Where clients connect: the configuration endpoint in cluster mode, else the primary endpoint."
  value       = var.cluster_mode ? aws_elasticache_replication_group.this.configuration_endpoint_address : aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = local.port
}

output "tls" {
  description = "Whether clients must use TLS (rediss://); always true here."
  value       = aws_elasticache_replication_group.this.transit_encryption_enabled
}
