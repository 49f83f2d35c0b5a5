# A detector declared disabled: GuardDuty is off in the region.
resource "aws_guardduty_detector" "main" {
  enable = false
}
