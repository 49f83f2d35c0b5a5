# EventBridge rules: every event rectify reacts to, and nothing else, goes to
# the one event queue. The starter parses each message (internal/events);
# what it cannot parse stays on the queue until the redrive policy moves it
# to the dead-letter queue.

resource "aws_cloudwatch_event_rule" "cloudtrail" {
  for_each = toset(var.cloudtrail_sources)

  name           = "${var.name}-cloudtrail-${each.key}"
  description    = "rectify: successful ${each.key} API calls that change what its policies judge"
  event_bus_name = var.event_bus_name
  event_pattern = jsonencode({
    source        = ["aws.${each.key}"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    # Failed calls change nothing; the starter would ignore them anyway.
    detail = merge(local.cloudtrail_details[each.key], { errorCode = [{ exists = false }] })
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "config" {
  count = length(var.config_resource_types) == 0 ? 0 : 1

  name           = "${var.name}-config"
  description    = "rectify: AWS Config configuration item changes of the resource types it evaluates"
  event_bus_name = var.event_bus_name
  event_pattern = jsonencode({
    source        = ["aws.config"]
    "detail-type" = ["Config Configuration Item Change"]
    # An oversized item carries only its summary.
    detail = {
      "$or" = [
        { configurationItem = { resourceType = var.config_resource_types } },
        { configurationItemSummary = { resourceType = var.config_resource_types } },
      ]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "securityhub" {
  count = var.securityhub_findings && length(var.securityhub_resource_types) > 0 ? 1 : 0

  name           = "${var.name}-securityhub"
  description    = "rectify: imported Security Hub findings that failed a control on a resource type it evaluates, except rectify's own"
  event_bus_name = var.event_bus_name
  event_pattern = jsonencode({
    source        = ["aws.securityhub"]
    "detail-type" = ["Security Hub Findings - Imported"]
    detail = {
      findings = {
        Compliance  = { Status = ["FAILED"] }
        RecordState = ["ACTIVE"]
        Resources   = { Type = var.securityhub_resource_types }
        # activities.GeneratorID: reacting to our own findings would loop.
        GeneratorId = [{ "anything-but" = { prefix = "rectify/" } }]
      }
    }
  })
  tags = var.tags
}

locals {
  event_rules = merge(
    { for k, r in aws_cloudwatch_event_rule.cloudtrail : "cloudtrail-${k}" => r },
    { for r in aws_cloudwatch_event_rule.config : "config" => r },
    { for r in aws_cloudwatch_event_rule.securityhub : "securityhub" => r },
  )
}

resource "aws_cloudwatch_event_target" "queue" {
  for_each = local.event_rules

  rule           = each.value.name
  event_bus_name = var.event_bus_name
  target_id      = "rectify-events"
  arn            = aws_sqs_queue.events.arn
}
