module "logs" {
  source = "./modules/bucket"
  name   = "acme-logs"
}
