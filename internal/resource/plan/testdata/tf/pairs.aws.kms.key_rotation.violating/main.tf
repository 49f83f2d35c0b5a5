# enable_key_rotation left to its default (false).
resource "aws_kms_key" "data" {
  description = "application data"
}
