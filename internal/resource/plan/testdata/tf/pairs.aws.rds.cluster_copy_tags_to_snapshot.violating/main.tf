# copy_tags_to_snapshot left to the provider's default (false).
resource "aws_rds_cluster" "orders" {
  cluster_identifier  = "orders"
  engine              = "aurora-postgresql"
  master_username     = "orders"
  master_password     = "example-only-not-a-secret"
  skip_final_snapshot = true
  deletion_protection = true
}
