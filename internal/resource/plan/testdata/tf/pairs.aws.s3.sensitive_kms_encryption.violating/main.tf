# AWS provider v4 style: SSE-S3 set explicitly on a confidential bucket.
resource "aws_s3_bucket" "payroll" {
  bucket = "acme-payroll"
  tags   = { "data-classification" = "confidential" }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payroll" {
  bucket = aws_s3_bucket.payroll.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
