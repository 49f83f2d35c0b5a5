output "queue_url" {
  description = "URL of the event queue: rectify.yaml queue.url (the starter consumes it)."
  value       = aws_sqs_queue.events.id
}

output "queue_arn" {
  description = "ARN of the event queue."
  value       = aws_sqs_queue.events.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue: rectify.yaml queue.dlq_url (rectify_dlq_depth, `rectify dlq`)."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "event_rule_arns" {
  description = "ARNs of the EventBridge rules that feed the queue, by rule (cloudtrail-ec2, config, securityhub, ...)."
  value       = { for k, r in local.event_rules : k => r.arn }
}

output "starter_role_arn" {
  description = "ARN of the starter role: the Helm value serviceAccount.starter.roleArn (IRSA)."
  value       = aws_iam_role.starter.arn
}

output "worker_role_arn" {
  description = "ARN of the worker role: the Helm value serviceAccount.worker.roleArn (IRSA), and worker_role_arn of modules/member-role."
  value       = aws_iam_role.worker.arn
}

output "member_role_arn_template" {
  description = "The member role as rectify.yaml aws.assume_role expects it: an ARN with {account} for the target account."
  value       = local.member_role_template
}

output "rectify_config" {
  description = "The part of rectify.yaml this module decides (queue, assume_role, remediation_roles, and audit with an audit bucket), to merge into the Helm value config. aws.external_id is left to you: it must match modules/member-role."
  value = merge({
    queue = {
      url     = aws_sqs_queue.events.id
      dlq_url = aws_sqs_queue.dlq.id
    }
    aws = {
      region      = data.aws_region.current.id
      assume_role = local.member_role_template
    }
    # Loop prevention: events caused by the member role are rectify's own.
    remediation_roles = ["arn:${local.partition}:iam::*:role${var.member_role_path}${var.member_role_name}"]
    },
    # An object without audit when there is no bucket (a conditional
    # would need both sides of one type).
    { for k, v in { audit = { bucket = local.audit_bucket, prefix = var.audit_prefix } } : k => v if local.audit },
  )
}

output "audit_bucket_arn" {
  description = "ARN of the audit bucket, or null when audit_bucket_name is not set."
  value       = local.audit ? aws_s3_bucket.audit[0].arn : null
}

output "audit_reader_policy" {
  description = "A policy (JSON) for whoever runs `rectify report`: list the audit prefix and read its records, nothing else. Null without an audit bucket."
  value = local.audit ? jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ListAuditTrail"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = local.audit_bucket_arn
        Condition = { StringLike = { "s3:prefix" = ["${var.audit_prefix}*"] } }
      },
      {
        Sid      = "ReadAuditTrail"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = local.audit_objects_arn
      },
    ]
  }) : null
}
