# RDS MySQL 8.0 for the catalog and accounts (Prisma, lib/mysql.ts): Multi-AZ, encrypted, the master
# password generated and kept by RDS in Secrets Manager (never in Terraform state). The app connects
# without TLS today (mariadbPoolConfig sets no ssl), so require_secure_transport stays at its default
# (off); the security group admits only the EKS nodes.

resource "aws_security_group" "this" {
  name        = "${var.name}-mysql"
  description = "RDS ${var.name}: MySQL from the EKS nodes only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_eks_nodes" {
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = var.client_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "MySQL from the EKS nodes"
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_db_instance" "this" {
  identifier     = var.name
  engine         = "mysql"
  engine_version = var.engine_version
  instance_class = var.instance_class

  allocated_storage     = var.storage_gib.allocated
  max_allocated_storage = var.storage_gib.max
  storage_type          = "gp3"
  storage_encrypted     = true

  db_name                     = var.database_name
  username                    = var.master_username
  manage_master_user_password = true

  multi_az               = true
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false

  backup_retention_period    = var.backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.deletion_protection
  skip_final_snapshot        = false
  final_snapshot_identifier  = "${var.name}-final"
  auto_minor_version_upgrade = true
}
