package rectify.aws.s3.access_logging_test

import data.rectify.aws.s3.access_logging as policy

bucket(props) := {"resource": {
	"type": "aws_s3_bucket",
	"address": null,
	"id": "acme-data",
	"plane": "live",
	"properties": object.union({"bucket": "acme-data", "public_access_block": null}, props),
}}

test_off_denied if {
	some v in policy.deny with input as bucket({"logging": null})
	v.params == {"bucket": "acme-data"}
	contains(v.msg, "acme-data")
}

test_on_allowed if {
	count(policy.deny) == 0 with input as bucket({"logging": {"target_bucket": "acme-logs", "target_prefix": "acme-data/"}})
}

test_on_with_target_unknown_allowed if {
	count(policy.deny) == 0 with input as bucket({"logging": {}})
	count(policy.undetermined) == 0 with input as bucket({"logging": {}})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as bucket({})
	some u in policy.undetermined with input as bucket({})
	u.unknown == ["logging"]
}

test_new_bucket_in_plan_denied if {
	doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.data", "id": "", "plane": "plan", "properties": {"logging": null}}}
	some v in policy.deny with input as doc
	v.params == {"bucket": null}
	contains(v.msg, "aws_s3_bucket.data")
}
