# An existing CI user and its access key, created on 2024-01-02 and
# turned off since (kept for the audit trail): planned against terraform.tfstate, so the
# key's create_date is known, as it is live.
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user   = aws_iam_user.ci.name
  status = "Inactive"
}
