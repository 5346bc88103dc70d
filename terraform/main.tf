# Corral on AWS: the network, EKS, and the five servers the roles need (DESIGN §7). Every data store
# sits in the private subnets and admits only the EKS cluster security group, which EKS attaches to
# every managed node. The Helm chart (charts/corral) consumes the outputs; see README.md.

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
}

module "network" {
  source = "./modules/network"

  name               = var.name
  region             = var.aws_region
  cidr               = var.vpc_cidr
  azs                = local.azs
  cluster_name       = var.name
  single_nat_gateway = var.single_nat_gateway
}

module "eks" {
  source = "./modules/eks"

  name                = var.name
  kubernetes_version  = var.kubernetes_version
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.eks_public_access_cidrs
  node_instance_types = var.node_instance_types
  node_ami_type       = var.node_ami_type
  node_disk_gib       = var.node_disk_gib
  node_scaling        = var.node_scaling
}

module "dynamodb" {
  source = "./modules/dynamodb"

  table_prefix        = var.dynamodb_table_prefix
  ttl_attribute       = var.dynamodb_ttl_attribute
  deletion_protection = var.dynamodb_deletion_protection

  inventory_warm_throughput = var.dynamodb_inventory_warm_throughput
}

module "redis" {
  source = "./modules/redis"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  cluster_mode             = var.redis_cluster_mode
  node_type                = var.redis_node_type
  engine_version           = var.redis_engine_version
  shards                   = var.redis_shards
  replicas_per_shard       = var.redis_replicas_per_shard
  auth_token               = var.redis_auth_token
  snapshot_retention_days  = var.redis_snapshot_retention_days
}

module "kafka" {
  source = "./modules/kafka"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  client_auth              = var.kafka_client_auth
  kafka_version            = var.kafka_version
  broker_instance_type     = var.kafka_broker_instance_type
  broker_count             = var.kafka_broker_count
  broker_volume_gib        = var.kafka_broker_volume_gib
}

module "mysql" {
  source = "./modules/mysql"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  engine_version           = var.mysql_engine_version
  instance_class           = var.mysql_instance_class
  storage_gib              = var.mysql_storage_gib
  backup_retention_days    = var.mysql_backup_retention_days
  deletion_protection      = var.mysql_deletion_protection
  database_name            = "corral"
  master_username          = "corral"
}

module "opensearch" {
  source = "./modules/opensearch"

  name                     = var.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  engine_version           = var.opensearch_engine_version
  instance_type            = var.opensearch_instance_type
  instance_count           = var.opensearch_instance_count
  volume_gib               = var.opensearch_volume_gib
  dedicated_master_type    = var.opensearch_dedicated_master_type
}
