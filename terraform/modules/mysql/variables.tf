variable "name" {
  description = "RDS instance identifier; prefix of its security and subnet groups."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the instance."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (one per AZ) of the DB subnet group."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "The only security group admitted to MySQL (the EKS cluster security group)."
  type        = string
}

variable "engine_version" {
  description = "MySQL engine version, 8.0.x."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "storage_gib" {
  description = "Allocated and maximum (autoscaling) storage, GiB."
  type = object({
    allocated = number
    max       = number
  })
}

variable "backup_retention_days" {
  description = "Days of automated backups."
  type        = number
}

variable "deletion_protection" {
  description = "Deletion protection of the instance."
  type        = bool
}

variable "database_name" {
  description = "Database created with the instance (the path of DATABASE_URL)."
  type        = string
}

variable "master_username" {
  description = "Master user name; RDS keeps its password in Secrets Manager."
  type        = string
}
