resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "mysql"
  engine_version      = "8.0.39"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = "example-only-not-a-secret"
  publicly_accessible = false
  deletion_protection = true
  skip_final_snapshot = true
}

# A cluster member: its cluster holds the deletion protection (RDS.7).
resource "aws_rds_cluster" "reports" {
  cluster_identifier  = "reports"
  engine              = "aurora-postgresql"
  master_username     = "reports"
  master_password     = "example-only-not-a-secret"
  skip_final_snapshot = true
  deletion_protection = true
}

resource "aws_rds_cluster_instance" "reports_1" {
  identifier         = "reports-1"
  cluster_identifier = aws_rds_cluster.reports.cluster_identifier
  engine             = "aurora-postgresql"
  instance_class     = "db.r6g.large"
}
