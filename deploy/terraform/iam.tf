# IAM split by duty. The starter reads the event queue and nothing else in
# AWS; the worker assumes the member role (modules/member-role) in each
# target account, where every read, remediation and finding happens, and
# may only send to the dead-letter queue besides.
# deploy/terraform_test.go parses these policies and fails on drift.

locals {
  oidc_issuer = var.oidc_provider_arn == null ? "" : split("oidc-provider/", var.oidc_provider_arn)[1]

  duties = {
    starter = { service_account = var.starter_service_account, principals = var.starter_trusted_principal_arns }
    worker  = { service_account = var.worker_service_account, principals = var.worker_trusted_principal_arns }
  }

  assume_role_policies = {
    for duty, d in local.duties : duty => jsonencode({
      Version = "2012-10-17"
      Statement = concat(
        var.oidc_provider_arn == null ? [] : [{
          Sid       = "KubernetesServiceAccount"
          Effect    = "Allow"
          Principal = { Federated = var.oidc_provider_arn }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringEquals = {
              "${local.oidc_issuer}:sub" = "system:serviceaccount:${var.kubernetes_namespace}:${d.service_account}"
              "${local.oidc_issuer}:aud" = "sts.amazonaws.com"
            }
          }
        }],
        length(d.principals) == 0 ? [] : [{
          Sid       = "TrustedPrincipals"
          Effect    = "Allow"
          Principal = { AWS = d.principals }
          Action    = "sts:AssumeRole"
        }],
      )
    })
  }

  # The starter calls SQS only (starter/consumer.go): receive, extend the
  # visibility of and delete event messages, read the queue's visibility
  # timeout, and read the dead-letter queue's depth for rectify_dlq_depth.
  # Every SQS action here is authorized on the queue's ARN; kms:Decrypt on
  # the key, and it supports kms:ViaService.
  starter_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ConsumeEvents"
          Effect   = "Allow"
          Action   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
          Resource = aws_sqs_queue.events.arn
        },
        {
          Sid      = "WatchDeadLetterDepth"
          Effect   = "Allow"
          Action   = ["sqs:GetQueueAttributes"]
          Resource = aws_sqs_queue.dlq.arn
        },
      ],
      var.kms_key_arn == null ? [] : [{
        Sid       = "DecryptEvents"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = var.kms_key_arn
        Condition = { StringEquals = { "kms:ViaService" = "sqs.${data.aws_region.current.id}.amazonaws.com" } }
      }],
    )
  })

  # The worker: become the member role, where every read, remediation and
  # finding happens; put the trigger of an evaluation that gave up on
  # the dead-letter queue (activities/requeue.go), since the starter had
  # already deleted its event; and, with an audit bucket, put audit records
  # (activities/audit.go). sts:AssumeRole is authorized on the role's
  # ARN; aws:ResourceOrgID is a global key, set for a role in an
  # organization's account. Sending to a queue encrypted with a CMK needs
  # kms:GenerateDataKey and kms:Decrypt on the key, through SQS only.
  worker_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [merge(
        {
          Sid      = "AssumeMemberRoles"
          Effect   = "Allow"
          Action   = ["sts:AssumeRole"]
          Resource = local.member_role_arns
        },
        var.organization_id == null ? {} : {
          Condition = { StringEquals = { "aws:ResourceOrgID" = var.organization_id } }
        },
      )],
      [{
        Sid      = "RequeueGivenUpEvaluations"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.dlq.arn
      }],
      # The audit trail: put records under the prefix, nothing else (no
      # read, no delete; Object Lock would refuse a delete anyway).
      local.audit ? [{
        Sid       = "WriteAuditTrail"
        Effect    = "Allow"
        Action    = ["s3:PutObject"]
        Resource  = local.audit_objects_arn
        Condition = { StringEquals = { "aws:ResourceAccount" = data.aws_caller_identity.current.account_id } }
      }] : [],
      var.kms_key_arn == null ? [] : [{
        Sid       = "EncryptRequeued"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = var.kms_key_arn
        Condition = { StringEquals = { "kms:ViaService" = "sqs.${data.aws_region.current.id}.amazonaws.com" } }
      }],
    )
  })
}

resource "aws_iam_role" "starter" {
  name                 = "${var.name}-starter"
  description          = "rectify starter: consumes the event queue"
  assume_role_policy   = local.assume_role_policies["starter"]
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = var.oidc_provider_arn != null || length(var.starter_trusted_principal_arns) > 0
      error_message = "The starter role trusts no one: set oidc_provider_arn (EKS/IRSA) or starter_trusted_principal_arns."
    }
  }
}

resource "aws_iam_role_policy" "starter" {
  name   = "consume-events"
  role   = aws_iam_role.starter.id
  policy = local.starter_policy
}

resource "aws_iam_role" "worker" {
  name                 = "${var.name}-worker"
  description          = "rectify worker: assumes the member role in target accounts"
  assume_role_policy   = local.assume_role_policies["worker"]
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = var.oidc_provider_arn != null || length(var.worker_trusted_principal_arns) > 0
      error_message = "The worker role trusts no one: set oidc_provider_arn (EKS/IRSA) or worker_trusted_principal_arns."
    }
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "assume-member-roles"
  role   = aws_iam_role.worker.id
  policy = local.worker_policy
}
