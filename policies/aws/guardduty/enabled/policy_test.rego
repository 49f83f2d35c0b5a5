package rectify.aws.guardduty.enabled_test

import data.rectify.aws.guardduty.enabled as policy

setting(props) := {"resource": {
	"type": "aws_guardduty_detector",
	"address": null,
	"id": "eu-west-1",
	"region": "eu-west-1",
	"plane": "live",
	"properties": props,
}}

test_no_detector_denied if {
	some v in policy.deny with input as setting({"enabled": false})
	v.params == {"region": "eu-west-1"}
	contains(v.msg, "no detector")
}

test_disabled_detector_denied_with_its_id if {
	some v in policy.deny with input as setting({"enabled": false, "detector_id": "12abc34d567e8fa901bc2d34e56789f0"})
	v.params == {"region": "eu-west-1"}
	contains(v.msg, "detector 12abc34d567e8fa901bc2d34e56789f0 is disabled")
}

test_enabled_allowed if {
	count(policy.deny) == 0 with input as setting({"enabled": true, "detector_id": "12abc34d567e8fa901bc2d34e56789f0"})
	count(policy.undetermined) == 0 with input as setting({"enabled": true})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as setting({})
	some u in policy.undetermined with input as setting({})
	u.unknown == ["enabled"]
}

test_plan_label_without_region if {
	doc := {"resource": {"type": "aws_guardduty_detector", "address": "aws_guardduty_detector.main", "region": null, "plane": "plan", "properties": {"enabled": false}}}
	some v in policy.deny with input as doc
	contains(v.msg, "aws_guardduty_detector.main")
	v.params == {"region": null}
}
