resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-0a1b2c3d"
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = "0.0.0.0/0"
}

module "db" {
  source   = "./modules/db"
  for_each = toset(["orders", "billing"])
  name     = each.key
}
