package rectify.aws.cloudtrail.log_file_validation_test

import data.rectify.aws.cloudtrail.log_file_validation as policy

trail(props) := {"resource": {
	"type": "aws_cloudtrail",
	"address": null,
	"id": "org-trail",
	"plane": "live",
	"properties": object.union({"name": "org-trail", "logging": true, "is_multi_region_trail": true}, props),
}}

test_off_denied if {
	some v in policy.deny with input as trail({"log_file_validation_enabled": false})
	v.params == {"name": "org-trail"}
	contains(v.msg, "org-trail")
}

test_on_allowed if {
	count(policy.deny) == 0 with input as trail({"log_file_validation_enabled": true})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as trail({})
	some u in policy.undetermined with input as trail({})
	u.unknown == ["log_file_validation_enabled"]
}
