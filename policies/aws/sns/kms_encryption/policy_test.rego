package rectify.aws.sns.kms_encryption_test

import data.rectify.aws.sns.kms_encryption as policy

topic(props) := {"resource": {
	"type": "aws_sns_topic",
	"address": null,
	"id": "alerts",
	"plane": "live",
	"properties": object.union({"name": "alerts"}, props),
}}

test_no_key_denied if {
	some v in policy.deny with input as topic({"kms_master_key_id": ""})
	v.params == {"topic_name": "alerts"}
	contains(v.msg, "alerts")
}

test_aws_managed_key_allowed if {
	count(policy.deny) == 0 with input as topic({"kms_master_key_id": "alias/aws/sns"})
}

test_customer_key_allowed if {
	count(policy.deny) == 0 with input as topic({"kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as topic({})
	some u in policy.undetermined with input as topic({})
	u.unknown == ["kms_master_key_id"]
	count(policy.undetermined) == 0 with input as topic({"kms_master_key_id": ""})
}
