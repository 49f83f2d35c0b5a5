package rectify.aws.iam.password_policy_test

import data.rectify.aws.iam.password_policy as policy

cis := {
	"exists": true,
	"minimum_password_length": 14,
	"require_uppercase_characters": true,
	"require_lowercase_characters": true,
	"require_symbols": true,
	"require_numbers": true,
	"password_reuse_prevention": 24,
	"max_password_age": 90,
}

setting(props) := {"resource": {
	"type": "aws_iam_account_password_policy",
	"address": null,
	"id": "123456789012",
	"region": "us-east-1",
	"plane": "live",
	"properties": props,
}}

floor := {
	"minimum_password_length": 14, "password_reuse_prevention": 24, "max_password_age": 90,
	"require_uppercase_characters": true, "require_lowercase_characters": true,
	"require_symbols": true, "require_numbers": true,
}

test_cis_policy_allowed if {
	count(policy.deny) == 0 with input as setting(cis)
	count(policy.undetermined) == 0 with input as setting(cis)
}

test_stricter_policy_allowed if {
	count(policy.deny) == 0 with input as setting(object.union(cis, {"minimum_password_length": 32, "max_password_age": 30}))
}

test_no_policy_denied if {
	some v in policy.deny with input as setting({"exists": false})
	v.params == floor
	contains(v.msg, "no IAM password policy")
}

test_each_weakness_denied if {
	every change, want in {
		"require_uppercase_characters": "IAM.11",
		"require_lowercase_characters": "IAM.12",
		"require_symbols": "IAM.13",
		"require_numbers": "IAM.14",
	} {
		some v in policy.deny with input as setting(object.union(cis, {change: false}))
		contains(v.msg, want)
		v.params == floor
	}
}

test_numbers_denied if {
	some short in policy.deny with input as setting(object.union(cis, {"minimum_password_length": 8}))
	contains(short.msg, "8 characters, fewer than 14 (IAM.15)")
	some reuse in policy.deny with input as setting(object.union(cis, {"password_reuse_prevention": 5}))
	contains(reuse.msg, "remembers 5 previous passwords, fewer than 24 (IAM.16)")
	some unlimited in policy.deny with input as setting(object.union(cis, {"password_reuse_prevention": 0}))
	contains(unlimited.msg, "remembers 0")
	some forever in policy.deny with input as setting(object.union(cis, {"max_password_age": 0}))
	contains(forever.msg, "live forever (IAM.17)")
	some long in policy.deny with input as setting(object.union(cis, {"max_password_age": 365}))
	contains(long.msg, "365 days, more than 90 (IAM.17)")
}

test_weaknesses_in_one_verdict if {
	weak := object.union(cis, {"require_symbols": false, "minimum_password_length": 8, "max_password_age": 0})
	count(policy.deny) == 1 with input as setting(weak)
	some v in policy.deny with input as setting(weak)
	contains(v.msg, "IAM.13")
	contains(v.msg, "IAM.15")
	contains(v.msg, "IAM.17")
}

test_plan_unknowns_undetermined if {
	doc := {"resource": {
		"type": "aws_iam_account_password_policy", "address": "aws_iam_account_password_policy.strict",
		"region": "us-east-1", "plane": "plan",
		"properties": object.remove(cis, ["password_reuse_prevention", "max_password_age"]),
	}}
	count(policy.deny) == 0 with input as doc
	some u in policy.undetermined with input as doc
	u.unknown == ["max_password_age", "password_reuse_prevention"]
	contains(u.msg, "aws_iam_account_password_policy.strict")
}

test_known_weakness_not_undetermined if {
	props := object.remove(object.union(cis, {"minimum_password_length": 8}), ["max_password_age"])
	count(policy.deny) == 1 with input as setting(props)
	count(policy.undetermined) == 0 with input as setting(props)
}
