resource "aws_db_instance" "orders" {
  identifier            = "orders"
  engine                = "postgres"
  engine_version        = "16.3"
  instance_class        = "db.t4g.micro"
  allocated_storage     = 20
  username              = "orders"
  password              = "example-only-not-a-secret"
  publicly_accessible   = false
  deletion_protection   = true
  copy_tags_to_snapshot = true
  skip_final_snapshot   = true
}
