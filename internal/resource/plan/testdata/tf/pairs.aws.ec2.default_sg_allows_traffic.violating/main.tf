# Adopting the default group and restating the rules AWS gave it.
resource "aws_default_security_group" "default" {
  vpc_id = "vpc-0a1b2c3d"

  ingress {
    protocol  = -1
    self      = true
    from_port = 0
    to_port   = 0
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
