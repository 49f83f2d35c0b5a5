# The role rectify's worker assumes in a target account. It grants exactly
# the IAM actions the code declares in activities/permissions.go, scoped to
# this account's resources wherever AWS supports it; deploy/terraform_test.go
# fails on any action missing or extra.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id

  security_groups = flatten([for r in var.regions : [
    "arn:${local.partition}:ec2:${r}:${local.account}:security-group/*",
    "arn:${local.partition}:ec2:${r}:${local.account}:security-group-rule/*",
  ]])

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Live reads and sweeps. EC2 Describe calls and ListAllMyBuckets
        # support no resource-level permissions.
        Sid      = "ReadSecurityGroups"
        Effect   = "Allow"
        Action   = ["ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"]
        Resource = "*"
      },
      {
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListAllMyBuckets"]
        Resource = "*"
      },
      {
        # ec2_revoke_ingress: revoke, and re-authorize on Undo.
        Sid      = "ChangeSecurityGroupIngress"
        Effect   = "Allow"
        Action   = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]
        Resource = local.security_groups
      },
      {
        # Undo's exemption tags, and no other tag.
        Sid      = "TagSecurityGroupsExempt"
        Effect   = "Allow"
        Action   = ["ec2:CreateTags"]
        Resource = [for r in var.regions : "arn:${local.partition}:ec2:${r}:${local.account}:security-group/*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads, s3_block_public_access (snapshot, apply, undo) and
        # Undo's exemption tags, on this account's buckets only.
        Sid    = "BucketPublicAccessBlockAndTags"
        Effect = "Allow"
        Action = [
          "s3:GetBucketPublicAccessBlock",
          "s3:GetBucketTagging",
          "s3:PutBucketPublicAccessBlock",
          "s3:PutBucketTagging",
        ]
        Resource  = "arn:${local.partition}:s3:::*"
        Condition = { StringEquals = { "aws:ResourceAccount" = local.account } }
      },
      {
        # Findings under the account's own default product ARN
        # (activities.ProductARN).
        Sid      = "ImportFindings"
        Effect   = "Allow"
        Action   = ["securityhub:BatchImportFindings"]
        Resource = [for r in var.regions : "arn:${local.partition}:securityhub:${r}:${local.account}:product/${local.account}/default"]
      },
      {
        Sid      = "UpdateFindings"
        Effect   = "Allow"
        Action   = ["securityhub:BatchUpdateFindings"]
        Resource = [for r in var.regions : "arn:${local.partition}:securityhub:${r}:${local.account}:hub/default"]
      },
    ]
  })

  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RectifyWorker"
      Effect    = "Allow"
      Principal = { AWS = var.worker_role_arn }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.role_path
  description          = "rectify remediation: reads and fixes what rectify's policies judge, assumed by the rectify worker"
  assume_role_policy   = local.trust
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "rectify-remediation"
  role   = aws_iam_role.this.id
  policy = local.policy
}
