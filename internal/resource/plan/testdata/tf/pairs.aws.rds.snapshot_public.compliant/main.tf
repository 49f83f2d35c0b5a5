resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = "example-only-not-a-secret"
  publicly_accessible = false
  deletion_protection = true
  skip_final_snapshot = true
}

# Shared with one named account only.
resource "aws_db_snapshot" "nightly" {
  db_instance_identifier = aws_db_instance.orders.identifier
  db_snapshot_identifier = "orders-nightly"
  shared_accounts        = ["111122223333"]
}
