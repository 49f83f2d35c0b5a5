# Lambda permissions joined to their functions: a public one, one whose
# principal is unknown until apply, and one naming a function outside the
# plan by ARN.
resource "aws_iam_role" "caller" {
  name               = "caller"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_lambda_function" "hooks" {
  function_name = "hooks"
  role          = "arn:aws:iam::123456789012:role/hooks-lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  s3_bucket     = "acme-artifacts"
  s3_key        = "hooks.zip"
}

resource "aws_lambda_permission" "hooks_public" {
  statement_id  = "public-invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hooks.function_name
  principal     = "*"
}

resource "aws_lambda_permission" "hooks_bucket" {
  statement_id  = "s3-uploads"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hooks.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = "arn:aws:s3:::acme-uploads"
}

resource "aws_lambda_function" "jobs" {
  function_name = "jobs"
  role          = "arn:aws:iam::123456789012:role/jobs-lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  s3_bucket     = "acme-artifacts"
  s3_key        = "jobs.zip"
}

resource "aws_lambda_permission" "jobs_caller" {
  statement_id  = "caller"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.jobs.function_name
  principal     = aws_iam_role.caller.arn
}

resource "aws_lambda_permission" "legacy_public" {
  statement_id  = "public"
  action        = "lambda:InvokeFunction"
  function_name = "legacy"
  principal     = "*"
}
