# AWS provider v4 style: the database admits only the app tier's group.
resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = "vpc-0a1b2c3d"
}

resource "aws_security_group" "db" {
  name   = "orders-db"
  vpc_id = "vpc-0a1b2c3d"
}

resource "aws_security_group_rule" "postgres_from_app" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  source_security_group_id = aws_security_group.app.id
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
}

resource "aws_security_group_rule" "postgres_from_vpc" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
}
