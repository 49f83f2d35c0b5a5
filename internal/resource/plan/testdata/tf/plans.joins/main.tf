# Joins the plan plane must get right: count and for_each parents, children
# whose parent is managed elsewhere, and values unknown at plan time.
variable "legacy_group_id" {
  type    = string
  default = "sg-0feedfacecafe0001"
}

resource "aws_s3_bucket" "regional" {
  for_each = toset(["eu", "us"])
  bucket   = "acme-regional-${each.key}"
}

resource "aws_s3_bucket_public_access_block" "regional" {
  for_each                = aws_s3_bucket.regional
  bucket                  = each.value.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = each.key == "us"
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "scratch" {
  count         = 2
  bucket_prefix = "scratch-"
}

resource "aws_s3_bucket_policy" "scratch" {
  count  = 2
  bucket = aws_s3_bucket.scratch[count.index].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.scratch[count.index].arn}/*" }]
  })
}

# Parents not in this plan: documents hold only what these children say.
resource "aws_vpc_security_group_ingress_rule" "legacy_rdp" {
  security_group_id = var.legacy_group_id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 3389
  to_port           = 3389
  ip_protocol       = "tcp"
}

resource "aws_s3_bucket_policy" "legacy" {
  bucket = "acme-legacy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-legacy/*" }]
  })
}

resource "aws_iam_role_policy_attachment" "legacy_admin" {
  role       = "legacy-admin"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
