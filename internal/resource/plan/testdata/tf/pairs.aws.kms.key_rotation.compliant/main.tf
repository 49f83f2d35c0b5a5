resource "aws_kms_key" "data" {
  description         = "application data"
  enable_key_rotation = true
}

# Asymmetric signing keys cannot rotate automatically: not a violation.
resource "aws_kms_key" "signing" {
  description              = "release signing"
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
}
