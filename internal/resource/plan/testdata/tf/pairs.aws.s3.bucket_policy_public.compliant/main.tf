# AWS provider v4 style: a separate policy resource, rendered by
# aws_iam_policy_document. Everyone may read, but only through one VPC
# endpoint, and plain HTTP is denied.
locals {
  bucket = "acme-internal-docs"
}

resource "aws_s3_bucket" "docs" {
  bucket = local.bucket
}

data "aws_iam_policy_document" "docs" {
  statement {
    sid       = "ReadThroughEndpoint"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${local.bucket}/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-0a1b2c3d4e5f"]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::${local.bucket}", "arn:aws:s3:::${local.bucket}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "docs" {
  bucket = aws_s3_bucket.docs.id
  policy = data.aws_iam_policy_document.docs.json
}
