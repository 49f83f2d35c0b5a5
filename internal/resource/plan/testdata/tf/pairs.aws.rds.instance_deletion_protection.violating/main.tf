resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "mysql"
  engine_version      = "8.0.39"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = "example-only-not-a-secret"
  publicly_accessible = false
  deletion_protection = false
  skip_final_snapshot = true
}
