output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority" {
  description = "Base64 CA certificate of the API server."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "The security group EKS creates for the cluster and attaches to every managed node: the only source the data stores admit."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider of the cluster (the Federated principal of IRSA roles)."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer_host" {
  description = "The issuer URL without https://, the prefix of the IRSA trust conditions (<host>:sub, <host>:aud)."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}
