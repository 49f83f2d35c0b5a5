resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# Every instance launched here gets a public IPv4 address.
resource "aws_subnet" "public_a" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
  tags                    = { Name = "public-a" }
}
