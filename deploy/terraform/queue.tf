# One event queue for every source, with a dead-letter queue. Encryption at
# rest is SSE-SQS unless a customer managed KMS key is given.

resource "aws_sqs_queue" "dlq" {
  name                              = "${var.name}-events-dlq"
  message_retention_seconds         = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  tags                              = var.tags
}

resource "aws_sqs_queue" "events" {
  name                              = "${var.name}-events"
  visibility_timeout_seconds        = var.visibility_timeout_seconds
  message_retention_seconds         = var.message_retention_seconds
  receive_wait_time_seconds         = 20
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 300
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

# Only the event queue may dead-letter into the DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.events.arn]
  })
}

locals {
  event_rule_arns = [for r in local.event_rules : r.arn]
}

# The queue admits the rules above (and the Config topic, if any) and no one
# else; the starter's own access comes from its role.
resource "aws_sqs_queue_policy" "events" {
  queue_url = aws_sqs_queue.events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      length(local.event_rule_arns) == 0 ? [] : [{
        Sid       = "EventBridgeRules"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.events.arn
        Condition = { ArnEquals = { "aws:SourceArn" = local.event_rule_arns } }
      }],
      var.config_sns_topic_arn == null ? [] : [{
        Sid       = "ConfigTopic"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.events.arn
        Condition = { ArnEquals = { "aws:SourceArn" = [var.config_sns_topic_arn] } }
      }],
      [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.events.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
    )
  })

  lifecycle {
    precondition {
      condition     = length(local.event_rule_arns) > 0 || var.config_sns_topic_arn != null
      error_message = "Nothing feeds the queue: enable cloudtrail_sources, config_resource_types, securityhub_findings or config_sns_topic_arn."
    }
  }
}

# AWS Config to SNS to SQS. Raw delivery hands the starter the Config
# notification itself; the parser reads the wrapped form too.
resource "aws_sns_topic_subscription" "config" {
  count = var.config_sns_topic_arn == null ? 0 : 1

  topic_arn            = var.config_sns_topic_arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.events.arn
  raw_message_delivery = true
}
