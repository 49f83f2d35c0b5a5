# Existing infrastructure (see terraform.tfstate): the web group keeps its
# HTTPS rule (no-op) and loses the SSH rule, whose resource was deleted from
# this file; the bucket keeps its public access block and loses its policy.
resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = "vpc-0a1b2c3d"
  tags        = { "rectify:exempt" = "aws.ec2.default_sg_allows_traffic" }
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

# A data source: read, never judged.
data "aws_iam_policy_document" "deny_delete" {
  statement {
    effect    = "Deny"
    actions   = ["s3:DeleteBucket"]
    resources = ["arn:aws:s3:::acme-logs"]
  }
}
