resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# Instances get a public address only when their launch asks for one.
resource "aws_subnet" "public_a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false
  tags                    = { Name = "public-a" }
}
