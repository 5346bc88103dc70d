output "bootstrap_brokers" {
  description = "host:port list for KAFKA_BROKERS (chart value kafka.brokers) on the listener client_auth selects."
  value       = local.scram ? aws_msk_cluster.this.bootstrap_brokers_sasl_scram : aws_msk_cluster.this.bootstrap_brokers
}

output "bootstrap_brokers_tls" {
  description = "host:port list of the TLS listener (9094), for moving the client to TLS in plaintext mode; in sasl_scram mode the security group admits 9096 only."
  value       = aws_msk_cluster.this.bootstrap_brokers_tls
}

output "scram_secret_arn" {
  description = "Secrets Manager secret holding the SCRAM username and password, or null in plaintext mode."
  value       = local.scram ? aws_secretsmanager_secret.scram[0].arn : null
}

output "cluster_arn" {
  description = "ARN of the MSK cluster."
  value       = aws_msk_cluster.this.arn
}
