# The console default many accounts start from: short, no symbol, reusable,
# never expiring.
resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 8
  require_uppercase_characters   = true
  require_lowercase_characters   = true
  require_numbers                = true
  require_symbols                = false
  allow_users_to_change_password = true
  password_reuse_prevention      = 5
  max_password_age               = 0
}
