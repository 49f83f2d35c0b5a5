# No image_scanning_configuration block: ECR creates the repository with
# scan on push off.
resource "aws_ecr_repository" "app" {
  name = "team/app"
}
