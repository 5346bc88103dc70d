variable "name" {
  description = "EKS cluster name; prefix of its IAM roles and node group."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the control plane's network interfaces and the nodes."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to the public API endpoint; empty makes the endpoint private only."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
}

variable "node_ami_type" {
  description = "AMI type of the managed node group."
  type        = string
}

variable "node_disk_gib" {
  description = "Root volume size of each node, GiB."
  type        = number
}

variable "node_scaling" {
  description = "Managed node group size: min, desired, max."
  type = object({
    min     = number
    desired = number
    max     = number
  })
}
