# Scoped permissions. The role's name comes from name_prefix and is unknown at
# plan time: its attachment and inline policy join through references.
resource "aws_iam_role" "reader" {
  name_prefix = "reader-"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "reader" {
  role       = aws_iam_role.reader.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "reader_s3" {
  role = aws_iam_role.reader.id
  name = "s3-everything-on-one-bucket"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"] }]
  })
}

resource "aws_iam_group" "auditors" {
  name = "auditors"
}

resource "aws_iam_group_policy_attachment" "auditors" {
  group      = aws_iam_group.auditors.name
  policy_arn = "arn:aws:iam::aws:policy/SecurityAudit"
}
