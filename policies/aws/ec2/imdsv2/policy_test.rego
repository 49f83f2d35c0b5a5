package rectify.aws.ec2.imdsv2_test

import data.rectify.aws.ec2.imdsv2 as policy

instance(props) := {"resource": {
	"type": "aws_instance",
	"address": null,
	"id": "i-0a1b2c3d4e5f60718",
	"plane": "live",
	"properties": object.union({"instance_id": "i-0a1b2c3d4e5f60718"}, props),
}}

test_imdsv1_allowed_denied if {
	some v in policy.deny with input as instance({"http_tokens": "optional", "http_endpoint": "enabled"})
	v.params == {"instance_id": "i-0a1b2c3d4e5f60718"}
	contains(v.msg, "i-0a1b2c3d4e5f60718")
}

test_endpoint_unknown_denied if {
	count(policy.deny) == 1 with input as instance({"http_tokens": "optional"})
}

test_imdsv2_required_allowed if {
	count(policy.deny) == 0 with input as instance({"http_tokens": "required", "http_endpoint": "enabled"})
}

test_metadata_service_off_allowed if {
	count(policy.deny) == 0 with input as instance({"http_tokens": "optional", "http_endpoint": "disabled"})
	count(policy.undetermined) == 0 with input as instance({"http_endpoint": "disabled"})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as instance({})
	some u in policy.undetermined with input as instance({})
	u.unknown == ["http_tokens"]
	count(policy.undetermined) == 0 with input as instance({"http_tokens": "optional"})
}

test_new_instance_in_plan_denied if {
	doc := {"resource": {
		"type": "aws_instance", "address": "aws_instance.web", "id": "", "plane": "plan",
		"properties": {"http_tokens": "optional", "http_endpoint": "enabled"},
	}}
	some v in policy.deny with input as doc
	v.params == {"instance_id": null}
	contains(v.msg, "aws_instance.web")
}
