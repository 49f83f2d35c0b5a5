variable "region" {
  description = "Region of the event queue, the rules and the EKS cluster."
  type        = string
  default     = "us-east-1"
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "external_id" {
  description = "External ID the worker presents to every member role; a random string per installation."
  type        = string
}

variable "member_account_id" {
  description = "The second target account rectify watches and remediates."
  type        = string
}

variable "member_admin_role_arn" {
  description = "A role Terraform can assume in the second target account to create the member role there."
  type        = string
}

variable "audit_bucket_name" {
  description = "S3 bucket to create for the audit trail (Object Lock, compliance mode), which `rectify report` reads; null leaves the audit trail off."
  type        = string
  default     = null
}
