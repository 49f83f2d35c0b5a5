# sqs_managed_sse_enabled set to false explicitly: left out, it is unknown
# until apply (AWS turns SSE-SQS on for new queues).
resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = false
}
