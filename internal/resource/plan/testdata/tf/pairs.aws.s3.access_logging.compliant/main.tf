# v4 style: a separate aws_s3_bucket_logging.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = "acme-logs"
  target_prefix = "acme-data/"
}

# v3 style: the inline logging block.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  logging {
    target_bucket = "acme-logs"
    target_prefix = "acme-reports/"
  }
}
