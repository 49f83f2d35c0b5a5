# AWS provider v4 style inside a child module: aws_security_group_rule
# resources next to a group with no inline rules.
module "db" {
  source = "./modules/db"
  vpc_id = "vpc-0a1b2c3d"
}
