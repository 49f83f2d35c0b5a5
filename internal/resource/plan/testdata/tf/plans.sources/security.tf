resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "SSH from anywhere"
  vpc_id      = "vpc-0a1b2c3d"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# SSH from the IPv6 range AWS assigns a VPC created in the same plan: the
# peer is unknown until apply.
resource "aws_vpc" "lab" {
  cidr_block                       = "10.42.0.0/16"
  assign_generated_ipv6_cidr_block = true
}

resource "aws_security_group" "lab" {
  name   = "lab"
  vpc_id = aws_vpc.lab.id
}

resource "aws_vpc_security_group_ingress_rule" "lab_ssh" {
  security_group_id = aws_security_group.lab.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv6         = aws_vpc.lab.ipv6_cidr_block
}
