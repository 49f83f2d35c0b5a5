# S3 may invoke the function, for one bucket of one account only.
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders-lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  s3_bucket     = "acme-artifacts"
  s3_key        = "orders.zip"
}

resource "aws_lambda_permission" "uploads" {
  statement_id   = "s3-uploads"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.orders.function_name
  principal      = "s3.amazonaws.com"
  source_account = "123456789012"
  source_arn     = "arn:aws:s3:::acme-uploads"
}
