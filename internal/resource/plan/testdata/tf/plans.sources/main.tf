# rectify check --source-dir: resources in the root module, in two files,
# with count, in a child module and in a for_each module call inside it.

# A bucket policy written the usual way, naming the bucket's ARN: unknown
# until apply, so neither S3 policy control can judge the bucket.
resource "aws_s3_bucket" "assets" {
  bucket = "acme-assets"
}

resource "aws_s3_bucket_policy" "assets" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyPlainHTTP"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["${aws_s3_bucket.assets.arn}", "${aws_s3_bucket.assets.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

# Two buckets without a policy: each violates the TLS control.
resource "aws_s3_bucket" "logs" {
  count  = 2
  bucket = "acme-logs-${count.index}"
}

module "network" {
  source = "./modules/network"
}
