package rectify.aws.sqs.encryption_at_rest_test

import data.rectify.aws.sqs.encryption_at_rest as policy

queue(props) := {"resource": {
	"type": "aws_sqs_queue",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": object.union({"name": "orders"}, props),
}}

test_unencrypted_denied if {
	some v in policy.deny with input as queue({"sqs_managed_sse_enabled": false})
	v.params == {"queue_name": "orders"}
	contains(v.msg, "orders")
}

test_sse_sqs_allowed if {
	count(policy.deny) == 0 with input as queue({"sqs_managed_sse_enabled": true})
}

test_kms_allowed if {
	count(policy.deny) == 0 with input as queue({"sqs_managed_sse_enabled": false, "kms_master_key_id": "alias/aws/sqs"})
	count(policy.undetermined) == 0 with input as queue({"kms_master_key_id": "alias/orders"})
}

test_empty_key_denied if {
	count(policy.deny) == 1 with input as queue({"sqs_managed_sse_enabled": false, "kms_master_key_id": ""})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as queue({})
	some u in policy.undetermined with input as queue({})
	u.unknown == ["sqs_managed_sse_enabled"]
	count(policy.undetermined) == 0 with input as queue({"sqs_managed_sse_enabled": false})
}
