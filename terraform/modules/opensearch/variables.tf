variable "name" {
  description = "Domain name (3-28 lowercase characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the domain."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per AZ the domain spreads over (2 or 3)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) == 2 || length(var.subnet_ids) == 3
    error_message = "OpenSearch zone awareness takes 2 or 3 subnets."
  }
}

variable "client_security_group_id" {
  description = "The only security group admitted to the domain (the EKS cluster security group)."
  type        = string
}

variable "engine_version" {
  description = "Engine version, e.g. OpenSearch_2.19."
  type        = string
}

variable "instance_type" {
  description = "Data node instance type."
  type        = string
}

variable "instance_count" {
  description = "Data nodes, a multiple of the subnet count."
  type        = number
}

variable "volume_gib" {
  description = "gp3 volume per data node, GiB."
  type        = number
}

variable "dedicated_master_type" {
  description = "Instance type of three dedicated masters, or null for none."
  type        = string
}
