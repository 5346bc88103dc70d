output "address" {
  description = "Host name of the instance (the writer; it moves to the standby on failover)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "MySQL port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Master user name."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret (JSON username/password) RDS manages for the master user."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
