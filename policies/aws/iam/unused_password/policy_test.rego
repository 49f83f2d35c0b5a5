package rectify.aws.iam.unused_password_test

import data.rectify.aws.iam.unused_password as policy

user(props) := {"resource": {
	"type": "aws_iam_user", "address": null, "id": "alice", "region": "us-east-1", "plane": "live",
	"properties": object.union({"name": "alice", "attached_policy_arns": [], "inline_policies": []}, props),
}}

test_stale_password_denied if {
	doc := user({"login_profile": {"create_date": "2025-01-02T03:04:05Z", "age_days": 300}, "password_last_used_days": 46})
	some v in policy.deny with input as doc
	v.params == {"user": "alice"}
	contains(v.msg, "unused for more than 45 days (last used 46 days ago)")
}

test_never_used_old_password_denied if {
	some v in policy.deny with input as user({"login_profile": {"create_date": "2025-01-02T03:04:05Z", "age_days": 46}})
	contains(v.msg, "never used, set 46 days ago")
}

test_recent_use_or_new_password_allowed if {
	count(policy.deny) == 0 with input as user({"login_profile": {"age_days": 300}, "password_last_used_days": 45})
	count(policy.deny) == 0 with input as user({"login_profile": {"age_days": 45}})

	# A new password beside the stale sign-in of an old one.
	count(policy.deny) == 0 with input as user({"login_profile": {"age_days": 2}, "password_last_used_days": 200})
}

test_no_password_or_unknown_allowed if {
	count(policy.deny) == 0 with input as user({"login_profile": null, "password_last_used_days": 200})
	count(policy.deny) == 0 with input as user({})
	doc := {"resource": {"type": "aws_iam_user", "address": "aws_iam_user.alice", "region": "us-east-1", "plane": "plan", "properties": {"name": "alice"}}}
	count(policy.deny) == 0 with input as doc
}
