variable "table_prefix" {
  description = "Prefix of both table names (DYNAMODB_TABLE_PREFIX)."
  type        = string
}

variable "ttl_attribute" {
  description = "Attribute (epoch seconds) DynamoDB TTL garbage-collects items by."
  type        = string
}

variable "deletion_protection" {
  description = "Deletion protection of both tables."
  type        = bool
}
