# AWS provider v3 style: inline encryption with a KMS key created in the same
# plan, so the key ARN is unknown at plan time. The algorithm is known.
resource "aws_kms_key" "payroll" {
  description         = "payroll bucket"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "payroll" {
  bucket = "acme-payroll"
  tags   = { "data-classification" = "Restricted" }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.payroll.arn
      }
      bucket_key_enabled = true
    }
  }
}
