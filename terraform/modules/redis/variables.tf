variable "name" {
  description = "Replication group id; prefix of its security, subnet and parameter groups."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the replication group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (one per AZ) of the replication group."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "The only security group admitted to Redis (the EKS cluster security group)."
  type        = string
}

variable "cluster_mode" {
  description = "Redis Cluster mode (sharded) on or off."
  type        = bool
}

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "engine_version" {
  description = "Redis OSS engine version, 7.x."
  type        = string
}

variable "shards" {
  description = "Shards when cluster_mode is on."
  type        = number
}

variable "replicas_per_shard" {
  description = "Replicas per shard (or per the single primary when cluster_mode is off), at least 1."
  type        = number
}

variable "auth_token" {
  description = "Optional Redis AUTH token; null for none."
  type        = string
  sensitive   = true
}

variable "snapshot_retention_days" {
  description = "Days of automatic snapshots (0: none)."
  type        = number
}
