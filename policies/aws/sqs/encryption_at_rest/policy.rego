# METADATA
# title: SQS queue is not encrypted at rest
# description: >-
#   The queue stores its messages without server-side encryption, neither
#   with SQS-managed keys (SSE-SQS) nor with a KMS key (SSE-KMS), so they
#   are readable on the service's storage.
# custom:
#   id: aws.sqs.encryption_at_rest
#   severity: MEDIUM
#   resource_types:
#     - aws_sqs_queue
#   remediation: sqs_enable_encryption
#   controls:
#     - AWS FSBP SQS.1
#   default_mode: enforce
package rectify.aws.sqs.encryption_at_rest

import data.rectify.aws.lib

# Input: one normalized SQS queue (internal/service/sqs queue.go);
# sqs_managed_sse_enabled is absent when unknown, kms_master_key_id when
# there is no key (or it is unknown at plan time).
#
# enforce: SSE-SQS is transparent to every producer and consumer that may
# already use the queue, and a configured KMS key is the operator's choice.

deny contains {"msg": msg, "params": {"queue_name": name}} if {
	input.resource.properties.sqs_managed_sse_enabled == false
	not has_key
	msg := sprintf("SQS queue %s is not encrypted at rest", [label])
}

has_key if {
	is_string(input.resource.properties.kms_master_key_id)
	input.resource.properties.kms_master_key_id != ""
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: without a key in the configuration, whether SQS turns
# SSE-SQS on is known only after apply.
undetermined contains {"msg": msg, "unknown": ["sqs_managed_sse_enabled"]} if {
	lib.absent(input.resource.properties, "sqs_managed_sse_enabled")
	not has_key
	msg := sprintf("SQS queue %s: whether it is encrypted at rest is unknown until apply", [label])
}
