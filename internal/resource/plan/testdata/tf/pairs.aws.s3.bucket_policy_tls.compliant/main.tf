# AWS provider v5 style: the policy as jsonencode, with the statement CIS
# and FSBP ask for.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = "acme-reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]
      Condition = { Bool = { "aws:SecureTransport" = false } }
    }]
  })
  depends_on = [aws_s3_bucket.reports]
}
