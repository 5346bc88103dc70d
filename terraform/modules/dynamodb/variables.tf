variable "table_prefix" {
  description = "Prefix of both table names (DYNAMODB_TABLE_PREFIX)."
  type        = string
}

variable "ttl_attribute" {
  description = "Attribute (epoch seconds) DynamoDB TTL garbage-collects items by."
  type        = string
}

variable "inventory_warm_throughput" {
  description = "Read and write units per second the inventory table takes at once (warm throughput), sized by npm run capacity."
  type = object({
    read_units_per_second  = number
    write_units_per_second = number
  })
}

variable "deletion_protection" {
  description = "Deletion protection of both tables."
  type        = bool
}
