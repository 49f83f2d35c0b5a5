# v4 style, no aws_s3_bucket_logging: a new bucket does not log.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
