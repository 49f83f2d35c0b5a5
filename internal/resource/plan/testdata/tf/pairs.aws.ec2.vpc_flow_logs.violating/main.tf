# A VPC that records none of its traffic.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
