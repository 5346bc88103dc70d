variable "name" {
  description = "MSK cluster name; prefix of its configuration, security group and SCRAM secret."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the brokers."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per AZ; brokers are spread evenly over them."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "The only security group admitted to the brokers (the EKS cluster security group)."
  type        = string
}

variable "client_auth" {
  description = "\"plaintext\" or \"sasl_scram\" (see the root variable kafka_client_auth)."
  type        = string

  validation {
    condition     = contains(["plaintext", "sasl_scram"], var.client_auth)
    error_message = "client_auth must be \"plaintext\" or \"sasl_scram\"."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version."
  type        = string
}

variable "broker_instance_type" {
  description = "Broker instance type."
  type        = string
}

variable "broker_count" {
  description = "Number of brokers, a multiple of the subnet count."
  type        = number
}

variable "broker_volume_gib" {
  description = "EBS volume per broker, GiB."
  type        = number
}
