variable "vpc_id" { type = string }

resource "aws_security_group" "db" {
  name   = "orders-db"
  vpc_id = var.vpc_id
}

resource "aws_security_group_rule" "postgres" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "redis" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 6379
  to_port           = 6379
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
}
