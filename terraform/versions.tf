# Terraform and provider pins. Written against the hashicorp/aws v5 schema (5.81 for DynamoDB warm
# throughput); not yet planned against AWS
# (see README.md: the registry is unreachable from the build machine).
terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.81"
    }
    # Only the SASL/SCRAM password of MSK (kafka_client_auth = "sasl_scram") comes from it.
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ Project = "corral", ManagedBy = "terraform", Stack = var.name }, var.tags)
  }
}
