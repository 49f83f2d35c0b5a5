variable "name" { type = string }

resource "aws_db_instance" "this" {
  identifier          = "acme-${var.name}"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "acme"
  password            = "fixture-password-1"
  publicly_accessible = var.name == "billing"
  skip_final_snapshot = true
}
