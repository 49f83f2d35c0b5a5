# A new bucket with no policy at all: nothing denies plain HTTP.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  tags   = { team = "finance" }
}
