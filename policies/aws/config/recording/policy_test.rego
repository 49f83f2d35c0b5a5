package rectify.aws.config.recording_test

import data.rectify.aws.config.recording as policy

setting(props) := {"resource": {
	"type": "aws_config_configuration_recorder",
	"address": null,
	"id": "eu-west-1",
	"region": "eu-west-1",
	"plane": "live",
	"properties": props,
}}

test_no_recorder_denied if {
	some v in policy.deny with input as setting({"recording": false})
	v.params == {"region": "eu-west-1"}
	contains(v.msg, "no configuration recorder")
}

test_stopped_recorder_denied_with_its_name if {
	some v in policy.deny with input as setting({"recording": false, "recorder": "default"})
	v.params == {"region": "eu-west-1"}
	contains(v.msg, "recorder default is stopped")
}

test_recording_allowed if {
	count(policy.deny) == 0 with input as setting({"recording": true, "recorder": "default"})
	count(policy.undetermined) == 0 with input as setting({"recording": true, "recorder": "default"})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as setting({"recorder": "default"})
	some u in policy.undetermined with input as setting({"recorder": "default"})
	u.unknown == ["recording"]
}

test_bad_region_is_null if {
	doc := {"resource": {"type": "aws_config_configuration_recorder", "region": 7, "plane": "live", "properties": {"recording": false}}}
	some v in policy.deny with input as doc
	v.params == {"region": null}
	contains(v.msg, "this region")
}
