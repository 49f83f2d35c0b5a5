package rectify.aws.cloudtrail.logging_test

import data.rectify.aws.cloudtrail.logging as policy

trail(props) := {"resource": {
	"type": "aws_cloudtrail",
	"address": null,
	"id": "org-trail",
	"plane": "live",
	"properties": props,
}}

test_stopped_denied if {
	some v in policy.deny with input as trail({"name": "org-trail", "logging": false, "is_multi_region_trail": true})
	v.params == {"name": "org-trail"}
	contains(v.msg, "org-trail")
}

test_logging_allowed if {
	count(policy.deny) == 0 with input as trail({"name": "org-trail", "logging": true, "is_multi_region_trail": false})
}

test_unknown_allowed if {
	count(policy.deny) == 0 with input as trail({"name": "org-trail"})
}

test_unknown_name_still_denied if {
	doc := {"resource": {"type": "aws_cloudtrail", "address": "aws_cloudtrail.main", "id": "", "plane": "plan", "properties": {"logging": false}}}
	some v in policy.deny with input as doc
	v.params == {"name": null}
	contains(v.msg, "aws_cloudtrail.main")
}

test_undetermined_unknown_logging if {
	some u in policy.undetermined with input as trail({"name": "main"})
	u.unknown == ["logging"]
	count(policy.undetermined) == 0 with input as trail({"name": "main", "logging": true})
}
