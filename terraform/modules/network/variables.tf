variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "region" {
  description = "AWS region (for the DynamoDB gateway endpoint's service name)."
  type        = string
}

variable "cidr" {
  description = "IPv4 CIDR of the VPC, /16 or larger."
  type        = string
}

variable "azs" {
  description = "Availability zones, one public and one private subnet each."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(var.azs) <= 15
    error_message = "azs needs at least two availability zones."
  }
}

variable "cluster_name" {
  description = "EKS cluster name, for the subnet tags the AWS Load Balancer Controller looks for."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway for every private subnet instead of one per AZ."
  type        = bool
}
