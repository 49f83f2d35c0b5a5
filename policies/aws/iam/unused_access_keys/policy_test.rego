package rectify.aws.iam.unused_access_keys_test

import data.rectify.aws.iam.unused_access_keys as policy

user(keys) := {"resource": {
	"type": "aws_iam_user", "address": null, "id": "ci", "region": "us-east-1", "plane": "live",
	"properties": {"name": "ci", "attached_policy_arns": [], "inline_policies": [], "access_keys": keys},
}}

test_stale_and_never_used_keys_denied if {
	doc := user([
		{"id": "AKIASTALE", "status": "Active", "age_days": 400, "used": true, "last_used_days": 46},
		{"id": "AKIANEVER", "status": "Active", "age_days": 46, "used": false},
		{"id": "AKIAFRESH", "status": "Active", "age_days": 400, "used": true, "last_used_days": 3},
	])
	some v in policy.deny with input as doc
	v.params == {"user": "ci", "access_key_ids": ["AKIANEVER", "AKIASTALE"]}
	contains(v.msg, "unused for more than 45 days: AKIANEVER, AKIASTALE")
}

test_recent_new_and_inactive_keys_allowed if {
	count(policy.deny) == 0 with input as user([
		{"id": "AKIAUSED", "status": "Active", "age_days": 400, "used": true, "last_used_days": 45},
		{"id": "AKIANEW", "status": "Active", "age_days": 10, "used": false},
		{"id": "AKIAOFF", "status": "Inactive", "age_days": 400, "used": false},
	])
}

test_no_keys_allowed if {
	count(policy.deny) == 0 with input as user([])
}

# A plan (and a live state read before last use was) has no "used": the
# policy passes, it does not guess.
test_last_use_unknown_allowed if {
	count(policy.deny) == 0 with input as user([{"id": "AKIAOLD", "status": "Active", "create_date": "2024-01-02T03:04:05Z", "age_days": 705}])
	doc := {"resource": {"type": "aws_iam_user", "address": "aws_iam_user.ci", "region": "us-east-1", "plane": "plan", "properties": {"name": "ci"}}}
	count(policy.deny) == 0 with input as doc
}

test_without_name_labelled_by_address if {
	doc := {"resource": {
		"type": "aws_iam_user", "address": "aws_iam_user.ci", "id": "", "plane": "live",
		"properties": {"access_keys": [{"id": "AKIANEVER", "status": "Active", "age_days": 100, "used": false}]},
	}}
	some v in policy.deny with input as doc
	v.params.user == null
	contains(v.msg, "aws_iam_user.ci")
}
