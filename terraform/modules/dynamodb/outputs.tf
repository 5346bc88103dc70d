output "inventory_table_name" {
  description = "Name of the inventory table."
  value       = aws_dynamodb_table.inventory.name
}

output "inventory_table_arn" {
  description = "ARN of the inventory table."
  value       = aws_dynamodb_table.inventory.arn
}

output "outbox_table_name" {
  description = "Name of the outbox table."
  value       = aws_dynamodb_table.outbox.name
}

output "outbox_table_arn" {
  description = "ARN of the outbox table (its streams are <arn>/stream/*)."
  value       = aws_dynamodb_table.outbox.arn
}

output "outbox_stream_arn" {
  description = "ARN of the outbox table's current stream (the relay finds it itself through DescribeTable)."
  value       = aws_dynamodb_table.outbox.stream_arn
}
