output "role_arn" {
  description = "ARN of the member role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the member role."
  value       = aws_iam_role.this.name
}

output "policy_json" {
  description = "The role's permission policy, for review: exactly the IAM actions rectify calls."
  value       = local.policy
}
