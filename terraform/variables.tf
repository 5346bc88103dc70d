# Inputs of the root module. Defaults describe one production-shaped stack in one region; every
# default that the application also has (table prefix, Redis topology) matches what the code does today.

variable "aws_region" {
  description = "AWS region of the whole stack (also the chart's awsRegion)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like us-east-1."
  }
}

variable "name" {
  description = "Name of the stack: prefix of the EKS cluster, ElastiCache, MSK, RDS and OpenSearch names."
  type        = string
  default     = "corral"

  validation {
    # OpenSearch domain names stop at 28 characters and the longest suffix used here is 8.
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.name))
    error_message = "name must be 2-20 characters: lowercase letters, digits and -, starting with a letter."
  }
}

variable "tags" {
  description = "Extra tags for every resource (merged into the provider's default_tags)."
  type        = map(string)
  default     = {}
}

# --- network -------------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR of the VPC; split into three public /24-sized and three private /20-sized subnets (one each per AZ)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && try(tonumber(split("/", var.vpc_cidr)[1]) <= 16, false)
    error_message = "vpc_cidr must be an IPv4 CIDR of size /16 or larger."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper, but one AZ's outage cuts the others' egress) instead of one per AZ."
  type        = bool
  default     = false
}

# --- EKS -----------------------------------------------------------------------------------------

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.31."
  }
}

variable "eks_public_access_cidrs" {
  description = "CIDRs allowed to reach the EKS API endpoint from the internet; an empty list makes the endpoint private only."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for cidr in var.eks_public_access_cidrs : can(cidrnetmask(cidr))])
    error_message = "eks_public_access_cidrs must hold IPv4 CIDRs."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group (the first one that has capacity is used)."
  type        = list(string)
  default     = ["m6i.xlarge"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "node_instance_types needs at least one instance type."
  }
}

variable "node_ami_type" {
  description = "AMI type of the managed node group."
  type        = string
  default     = "AL2023_x86_64_STANDARD"
}

variable "node_disk_gib" {
  description = "Root volume size of each node, GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_gib >= 20
    error_message = "node_disk_gib must be at least 20."
  }
}

variable "node_scaling" {
  description = "Size of the managed node group: min, desired (the first apply only; a cluster autoscaler owns it afterwards) and max nodes."
  type = object({
    min     = number
    desired = number
    max     = number
  })
  default = { min = 3, desired = 3, max = 12 }

  validation {
    condition     = var.node_scaling.min >= 1 && var.node_scaling.min <= var.node_scaling.desired && var.node_scaling.desired <= var.node_scaling.max
    error_message = "node_scaling needs 1 <= min <= desired <= max."
  }
}

variable "k8s_namespace" {
  description = "Namespace the chart is installed in (helm -n); the IRSA role trusts only this namespace's service account."
  type        = string
  default     = "tickets"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.k8s_namespace))
    error_message = "k8s_namespace must be a Kubernetes namespace name."
  }
}

variable "k8s_service_account" {
  description = "Name of the chart's ServiceAccount (helm value serviceAccount.name); the IRSA role trusts only it."
  type        = string
  default     = "corral"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.k8s_service_account))
    error_message = "k8s_service_account must be a Kubernetes object name."
  }
}

# --- DynamoDB ------------------------------------------------------------------------------------

variable "dynamodb_table_prefix" {
  description = "Prefix of the DynamoDB table names (DYNAMODB_TABLE_PREFIX, chart value dynamodb.tablePrefix); tables are <prefix>inventory and <prefix>outbox."
  type        = string
  default     = "corral-"

  validation {
    # The same rule as DYNAMODB_TABLE_PREFIX in lib/config.ts.
    condition     = can(regex("^[A-Za-z0-9_.-]*$", var.dynamodb_table_prefix))
    error_message = "dynamodb_table_prefix may hold only letters, digits, _ . -"
  }
}

variable "dynamodb_ttl_attribute" {
  description = "Attribute DynamoDB TTL reads on both tables (epoch seconds). No item carries it yet, so TTL deletes nothing until the code writes it; never point it at heldUntil (epoch milliseconds, and seats must never be deleted)."
  type        = string
  default     = "ttl"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", var.dynamodb_ttl_attribute)) && !contains(["pk", "sk", "id", "heldUntil", "createdAt", "confirmedAt", "at"], var.dynamodb_ttl_attribute)
    error_message = "dynamodb_ttl_attribute must be a plain attribute name that is not a key or one of the millisecond timestamps (heldUntil, createdAt, confirmedAt, at)."
  }
}

variable "dynamodb_inventory_warm_throughput" {
  description = "Warm throughput of the inventory table: the read and write units per second it takes at once, before DynamoDB has split partitions for the load. Size it with `npm run capacity` (its inventoryPeak) for the biggest sale planned, and raise it before that sale (docs/runbook.md). The default is that figure for 50,000 seats at 10,000 two-seat reservations/s."
  type = object({
    read_units_per_second  = number
    write_units_per_second = number
  })
  default = {
    read_units_per_second  = 43000
    write_units_per_second = 160000
  }

  validation {
    # A new on-demand table starts at 12,000 read and 4,000 write units; less cannot be asked for.
    condition     = var.dynamodb_inventory_warm_throughput.read_units_per_second >= 12000 && var.dynamodb_inventory_warm_throughput.write_units_per_second >= 4000
    error_message = "dynamodb_inventory_warm_throughput must be at least 12000 read and 4000 write units per second (an on-demand table's own starting point)."
  }
}

variable "dynamodb_deletion_protection" {
  description = "Deletion protection of both DynamoDB tables (turn off only to destroy a test stack)."
  type        = bool
  default     = true
}

# --- ElastiCache (Redis) -------------------------------------------------------------------------

variable "redis_cluster_mode" {
  description = "Redis Cluster mode (sharded, the configuration endpoint as redis_host). The helm_values output passes it as redis.cluster, which makes the app open its Redis Cluster client (REDIS_CLUSTER=true)."
  type        = bool
  default     = false
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.r7g.large"
}

variable "redis_engine_version" {
  description = "Redis OSS engine version (major.minor)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.redis_engine_version))
    error_message = "redis_engine_version must be 7.x (the parameter group family is redis7)."
  }
}

variable "redis_shards" {
  description = "Shards (node groups) when redis_cluster_mode is on; ignored otherwise."
  type        = number
  default     = 3

  validation {
    condition     = var.redis_shards >= 1 && var.redis_shards <= 500
    error_message = "redis_shards must be between 1 and 500."
  }
}

variable "redis_replicas_per_shard" {
  description = "Replicas per shard (per the single primary when cluster mode is off). At least 1: Multi-AZ failover needs a replica."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_replicas_per_shard >= 1 && var.redis_replicas_per_shard <= 5
    error_message = "redis_replicas_per_shard must be between 1 and 5."
  }
}

variable "redis_auth_token" {
  description = "Optional Redis AUTH token (16-128 printable characters, no @ \" or /). Null: no AUTH, the network and TLS are the only guards. The chart does not put a token into REDIS_URL yet."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.redis_auth_token == null || can(regex("^[!#-.0-?A-~]{16,128}$", var.redis_auth_token))
    error_message = "redis_auth_token must be 16-128 printable ASCII characters without spaces, @, \" or /."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Days of automatic Redis snapshots (0 turns them off)."
  type        = number
  default     = 3

  validation {
    condition     = var.redis_snapshot_retention_days >= 0 && var.redis_snapshot_retention_days <= 35
    error_message = "redis_snapshot_retention_days must be between 0 and 35."
  }
}

# --- MSK (Kafka) ---------------------------------------------------------------------------------

variable "kafka_client_auth" {
  description = "How clients reach MSK: \"plaintext\" (port 9092, no client auth; what lib/kafka.ts speaks today) or \"sasl_scram\" (TLS + SASL/SCRAM-SHA-512 on 9096; needs ssl and sasl options in lib/kafka.ts first)."
  type        = string
  default     = "plaintext"

  validation {
    condition     = contains(["plaintext", "sasl_scram"], var.kafka_client_auth)
    error_message = "kafka_client_auth must be \"plaintext\" or \"sasl_scram\"."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version of the MSK cluster."
  type        = string
  default     = "3.6.0"

  validation {
    condition     = can(regex("^3\\.", var.kafka_version))
    error_message = "kafka_version must be a 3.x MSK version."
  }
}

variable "kafka_broker_instance_type" {
  description = "MSK broker instance type."
  type        = string
  default     = "kafka.m5.large"
}

variable "kafka_broker_count" {
  description = "MSK brokers; a multiple of the three AZs."
  type        = number
  default     = 3

  validation {
    condition     = var.kafka_broker_count >= 3 && var.kafka_broker_count % 3 == 0
    error_message = "kafka_broker_count must be a multiple of 3 (one per AZ at least)."
  }
}

variable "kafka_broker_volume_gib" {
  description = "EBS volume per broker, GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.kafka_broker_volume_gib >= 1 && var.kafka_broker_volume_gib <= 16384
    error_message = "kafka_broker_volume_gib must be between 1 and 16384."
  }
}

# --- RDS (MySQL) ---------------------------------------------------------------------------------

variable "mysql_engine_version" {
  description = "RDS MySQL engine version (8.0 picks the newest 8.0 minor)."
  type        = string
  default     = "8.0"

  validation {
    condition     = can(regex("^8\\.0", var.mysql_engine_version))
    error_message = "mysql_engine_version must be MySQL 8.0.x."
  }
}

variable "mysql_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.r6g.large"
}

variable "mysql_storage_gib" {
  description = "Allocated and maximum (storage autoscaling) gp3 storage of RDS, GiB."
  type = object({
    allocated = number
    max       = number
  })
  default = { allocated = 50, max = 500 }

  validation {
    condition     = var.mysql_storage_gib.allocated >= 20 && var.mysql_storage_gib.max >= var.mysql_storage_gib.allocated
    error_message = "mysql_storage_gib needs allocated >= 20 and max >= allocated."
  }
}

variable "mysql_backup_retention_days" {
  description = "Days of RDS automated backups."
  type        = number
  default     = 7

  validation {
    condition     = var.mysql_backup_retention_days >= 1 && var.mysql_backup_retention_days <= 35
    error_message = "mysql_backup_retention_days must be between 1 and 35."
  }
}

variable "mysql_deletion_protection" {
  description = "Deletion protection of the RDS instance (turn off only to destroy a test stack)."
  type        = bool
  default     = true
}

# --- OpenSearch ----------------------------------------------------------------------------------

variable "opensearch_engine_version" {
  description = "OpenSearch Service engine version (the local stack runs 2.19)."
  type        = string
  default     = "OpenSearch_2.19"

  validation {
    condition     = can(regex("^OpenSearch_2\\.[0-9]+$", var.opensearch_engine_version))
    error_message = "opensearch_engine_version must look like OpenSearch_2.19."
  }
}

variable "opensearch_instance_type" {
  description = "OpenSearch data node instance type."
  type        = string
  default     = "r6g.large.search"
}

variable "opensearch_instance_count" {
  description = "OpenSearch data nodes; a multiple of the three AZs."
  type        = number
  default     = 3

  validation {
    condition     = var.opensearch_instance_count >= 3 && var.opensearch_instance_count % 3 == 0
    error_message = "opensearch_instance_count must be a multiple of 3."
  }
}

variable "opensearch_volume_gib" {
  description = "gp3 volume per OpenSearch data node, GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.opensearch_volume_gib >= 10
    error_message = "opensearch_volume_gib must be at least 10."
  }
}

variable "opensearch_dedicated_master_type" {
  description = "Instance type of three dedicated master nodes, or null for none (the data nodes elect a master)."
  type        = string
  default     = null
}
