# What the Helm chart needs (README.md maps each to its value); `helm_values` is all of it as one
# values file: terraform output -json helm_values > aws-values.json.

locals {
  dynamodb_endpoint = "https://dynamodb.${var.aws_region}.amazonaws.com"
}

output "aws_region" {
  description = "Region of the stack (chart value awsRegion)."
  value       = var.aws_region
}

output "eks_cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name)."
  value       = module.eks.cluster_name
}

output "eks_cluster_endpoint" {
  description = "Kubernetes API server URL."
  value       = module.eks.cluster_endpoint
}

output "service_account_role_arn" {
  description = "IAM role of the chart's ServiceAccount (chart value serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn)."
  value       = aws_iam_role.service_account.arn
}

output "k8s_namespace" {
  description = "Namespace the IRSA role trusts (helm -n)."
  value       = var.k8s_namespace
}

output "k8s_service_account" {
  description = "ServiceAccount name the IRSA role trusts (chart value serviceAccount.name)."
  value       = var.k8s_service_account
}

output "dynamodb_endpoint" {
  description = "Regional DynamoDB endpoint (chart value dynamodb.endpoint)."
  value       = local.dynamodb_endpoint
}

output "dynamodb_table_prefix" {
  description = "Table name prefix (chart value dynamodb.tablePrefix)."
  value       = var.dynamodb_table_prefix
}

output "dynamodb_table_names" {
  description = "The two table names, as tableNames() in lib/dynamo.ts computes them."
  value       = { inventory = module.dynamodb.inventory_table_name, outbox = module.dynamodb.outbox_table_name }
}

output "dynamodb_outbox_stream_arn" {
  description = "Current stream of the outbox table."
  value       = module.dynamodb.outbox_stream_arn
}

output "redis_host" {
  description = "ElastiCache endpoint (chart value redis.host): the primary endpoint, or the configuration endpoint in cluster mode."
  value       = module.redis.host
}

output "redis_port" {
  description = "Redis port (chart value redis.port)."
  value       = module.redis.port
}

output "redis_tls" {
  description = "Whether Redis needs TLS (chart value redis.tls); always true."
  value       = module.redis.tls
}

output "redis_cluster_mode" {
  description = "Whether Redis runs in cluster mode (chart value redis.cluster, which sets REDIS_CLUSTER=true)."
  value       = var.redis_cluster_mode
}

output "kafka_brokers" {
  description = "MSK bootstrap brokers, host:port comma-separated (chart value kafka.brokers)."
  value       = module.kafka.bootstrap_brokers
}

output "kafka_brokers_tls" {
  description = "MSK bootstrap brokers on the TLS listener (9094)."
  value       = module.kafka.bootstrap_brokers_tls
}

output "kafka_client_auth" {
  description = "Listener the kafka_brokers output points at: plaintext or sasl_scram."
  value       = var.kafka_client_auth
}

output "kafka_scram_secret_arn" {
  description = "Secret with the SCRAM username/password (sasl_scram only; null otherwise)."
  value       = module.kafka.scram_secret_arn
}

output "opensearch_url" {
  description = "OpenSearch URL (chart value opensearch.url)."
  value       = module.opensearch.url
}

output "mysql_host" {
  description = "RDS MySQL host name (the host of DATABASE_URL)."
  value       = module.mysql.address
}

output "mysql_port" {
  description = "RDS MySQL port."
  value       = module.mysql.port
}

output "mysql_database" {
  description = "Database name (the path of DATABASE_URL)."
  value       = module.mysql.database_name
}

output "mysql_username" {
  description = "User of DATABASE_URL."
  value       = module.mysql.master_username
}

output "mysql_master_secret_arn" {
  description = "Secrets Manager secret (JSON username/password) RDS manages; DATABASE_URL is built from it (README.md)."
  value       = module.mysql.master_user_secret_arn
}

output "helm_values" {
  description = "The chart values this stack determines, as one values file (terraform output -json helm_values > aws-values.json; helm -f aws-values.json)."
  value = {
    awsRegion = var.aws_region
    dynamodb = {
      endpoint    = local.dynamodb_endpoint
      tablePrefix = var.dynamodb_table_prefix
    }
    redis = {
      host    = module.redis.host
      port    = module.redis.port
      tls     = module.redis.tls
      cluster = var.redis_cluster_mode
    }
    kafka = {
      brokers                = module.kafka.bootstrap_brokers
      topicReplicationFactor = 3
    }
    opensearch = {
      url = module.opensearch.url
    }
    serviceAccount = {
      create = true
      name   = var.k8s_service_account
      annotations = {
        "eks.amazonaws.com/role-arn" = aws_iam_role.service_account.arn
      }
    }
    migrations = {
      createTables = false
    }
  }
}
