# kms_master_key_id left out: the topic is not encrypted.
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
