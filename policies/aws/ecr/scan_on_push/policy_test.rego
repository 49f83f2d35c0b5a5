package rectify.aws.ecr.scan_on_push_test

import data.rectify.aws.ecr.scan_on_push as policy

repo(props) := {"resource": {
	"type": "aws_ecr_repository",
	"address": null,
	"id": "team/app",
	"plane": "live",
	"properties": object.union({"name": "team/app"}, props),
}}

test_off_denied if {
	some v in policy.deny with input as repo({"scan_on_push": false})
	v.params == {"repository_name": "team/app"}
	contains(v.msg, "team/app")
}

test_on_allowed if {
	count(policy.deny) == 0 with input as repo({"scan_on_push": true})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as repo({})
	some u in policy.undetermined with input as repo({})
	u.unknown == ["scan_on_push"]
	count(policy.undetermined) == 0 with input as repo({"scan_on_push": false})
}
