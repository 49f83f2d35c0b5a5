package rectify.aws.iam.access_key_rotation_test

import data.rectify.aws.iam.access_key_rotation as policy

user(keys) := {"resource": {
	"type": "aws_iam_user", "address": null, "id": "ci", "region": "us-east-1", "plane": "live",
	"properties": {"name": "ci", "attached_policy_arns": [], "inline_policies": [], "access_keys": keys},
}}

test_old_active_keys_denied if {
	doc := user([
		{"id": "AKIAOLD1", "status": "Active", "create_date": "2024-01-02T03:04:05Z", "age_days": 705},
		{"id": "AKIAOLD0", "status": "Active", "create_date": "2026-09-07T00:00:00Z", "age_days": 91},
		{"id": "AKIANEW", "status": "Active", "create_date": "2026-11-27T00:00:00Z", "age_days": 10},
	])
	some v in policy.deny with input as doc
	v.params == {"user": "ci", "access_key_ids": ["AKIAOLD0", "AKIAOLD1"]}
	contains(v.msg, "older than 90 days: AKIAOLD0, AKIAOLD1")
	count(policy.undetermined) == 0 with input as doc
}

test_old_inactive_and_young_keys_allowed if {
	count(policy.deny) == 0 with input as user([
		{"id": "AKIAOLD1", "status": "Inactive", "create_date": "2024-01-02T03:04:05Z", "age_days": 705},
		{"id": "AKIANEW", "status": "Active", "create_date": "2026-09-09T00:00:00Z", "age_days": 90},
	])
}

test_no_keys_allowed if {
	count(policy.deny) == 0 with input as user([])
}

test_unknown_keys_and_new_keys_allowed if {
	doc := {"resource": {"type": "aws_iam_user", "address": "aws_iam_user.ci", "region": "us-east-1", "plane": "plan", "properties": {"name": "ci"}}}
	count(policy.deny) == 0 with input as doc
	count(policy.undetermined) == 0 with input as doc
	count(policy.deny) == 0 with input as user([{"status": "Active"}])
	count(policy.undetermined) == 0 with input as user([{"status": "Active"}])
}

test_undetermined_without_plan_time if {
	doc := user([{"id": "AKIAOLD1", "status": "Active", "create_date": "2024-01-02T03:04:05Z"}])
	count(policy.deny) == 0 with input as doc
	some u in policy.undetermined with input as doc
	u.unknown == ["access_keys"]
}
