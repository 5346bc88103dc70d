output "url" {
  description = "HTTPS URL of the domain's VPC endpoint (OPENSEARCH_URL, chart value opensearch.url)."
  value       = "https://${aws_opensearch_domain.this.endpoint}"
}

output "domain_arn" {
  description = "ARN of the domain."
  value       = aws_opensearch_domain.this.arn
}
