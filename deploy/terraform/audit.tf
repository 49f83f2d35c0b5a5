# The audit trail (optional): one JSON record per state change of a
# violation, which `rectify report` reads back long after Temporal has
# forgotten the workflow. The bucket is write-once: S3 Object Lock in
# compliance mode keeps every record for audit_retention_days, and nobody,
# the root user included, can shorten that or delete a record before it
# ends. The worker may only put objects under the prefix; it reads nothing
# back (a retried write is a conditional PUT that S3 refuses, 412).
# deploy/audit_test.go reads these resources.

data "aws_caller_identity" "current" {}

locals {
  audit            = var.audit_bucket_name != null
  audit_bucket     = var.audit_bucket_name == null ? "" : var.audit_bucket_name
  audit_bucket_arn = "arn:${local.partition}:s3:::${local.audit_bucket}"
  # Every record lives under the prefix: the worker's grant and the reader
  # policy name exactly it.
  audit_objects_arn = "${local.audit_bucket_arn}/${var.audit_prefix}*"
}

resource "aws_s3_bucket" "audit" {
  count = local.audit ? 1 : 0

  bucket              = var.audit_bucket_name
  object_lock_enabled = true
  # A bucket of locked records is never destroyed with its contents.
  force_destroy = false
  tags          = var.tags
}

# Object Lock needs versioning; it stays on.
resource "aws_s3_bucket_versioning" "audit" {
  count = local.audit ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_object_lock_configuration" "audit" {
  count = local.audit ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = var.audit_retention_days
    }
  }
  depends_on = [aws_s3_bucket_versioning.audit]
}

resource "aws_s3_bucket_public_access_block" "audit" {
  count = local.audit ? 1 : 0

  bucket                  = aws_s3_bucket.audit[0].id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "audit" {
  count = local.audit ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit" {
  count = local.audit ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Only TLS; the same rule rectify's aws.s3.bucket_policy_tls enforces.
resource "aws_s3_bucket_policy" "audit" {
  count = local.audit ? 1 : 0

  bucket = aws_s3_bucket.audit[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [local.audit_bucket_arn, "${local.audit_bucket_arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.audit]
}
