# Anyone may invoke the function: principal "*" with no source condition.
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders-lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  s3_bucket     = "acme-artifacts"
  s3_key        = "orders.zip"
}

resource "aws_lambda_permission" "public" {
  statement_id  = "public-invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.orders.function_name
  principal     = "*"
}
