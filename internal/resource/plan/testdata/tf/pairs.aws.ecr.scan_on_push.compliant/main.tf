resource "aws_ecr_repository" "app" {
  name = "team/app"

  image_scanning_configuration {
    scan_on_push = true
  }
}
