package rectify.aws.ec2.ebs_default_encryption_test

import data.rectify.aws.ec2.ebs_default_encryption as policy

setting(props) := {"resource": {
	"type": "aws_ebs_encryption_by_default",
	"address": null,
	"id": "eu-west-1",
	"region": "eu-west-1",
	"plane": "live",
	"properties": props,
}}

test_disabled_denied if {
	some v in policy.deny with input as setting({"enabled": false})
	v.params == {"region": "eu-west-1"}
	contains(v.msg, "eu-west-1")
}

test_enabled_allowed if {
	count(policy.deny) == 0 with input as setting({"enabled": true})
}

test_unknown_allowed if {
	count(policy.deny) == 0 with input as setting({})
}

test_plan_without_region_still_denied if {
	doc := {"resource": {"type": "aws_ebs_encryption_by_default", "address": "aws_ebs_encryption_by_default.this", "region": "", "plane": "plan", "properties": {"enabled": false}}}
	some v in policy.deny with input as doc
	v.params == {"region": null}
	contains(v.msg, "aws_ebs_encryption_by_default.this")
}

test_undetermined_unknown_setting if {
	some u in policy.undetermined with input as setting({})
	u.unknown == ["enabled"]
	count(policy.undetermined) == 0 with input as setting({"enabled": true})
	count(policy.undetermined) == 0 with input as setting({"enabled": false})
}
