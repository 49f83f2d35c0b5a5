package rectify.aws.iam.admin_access_test

import data.rectify.aws.iam.admin_access as policy

admin := "arn:aws:iam::aws:policy/AdministratorAccess"

principal(type, attached, inline) := {"resource": {
	"type": type,
	"address": null,
	"id": "deployer",
	"plane": "live",
	"properties": {"name": "deployer", "path": "/", "attached_policy_arns": attached, "inline_policies": inline},
}}

inline(name, statements) := {"name": name, "document": {"Version": "2012-10-17", "Statement": statements}}

star := {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_attached_admin_denied_for_each_kind if {
	every type in ["aws_iam_user", "aws_iam_role", "aws_iam_group"] {
		v := only(policy.deny) with input as principal(type, ["arn:aws:iam::aws:policy/ReadOnlyAccess", admin], [])
		v.params == {"principal_type": trim_prefix(type, "aws_iam_"), "name": "deployer", "policy_arns": [admin], "inline_policy_names": []}
	}
}

test_other_partitions_denied if {
	arn := "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"
	only(policy.deny).params.policy_arns == [arn] with input as principal("aws_iam_role", [arn], [])
}

test_inline_star_denied if {
	v := only(policy.deny) with input as principal("aws_iam_role", [], [inline("everything", [star]), inline("s3", [object.union(star, {"Action": ["s3:*"]})])])
	v.params.inline_policy_names == ["everything"]
	contains(v.msg, "inline policy everything")
	contains(v.msg, "IAM role deployer")
}

test_inline_star_colon_star_denied if {
	st := {"Effect": "Allow", "Action": ["*:*"], "Resource": ["arn:aws:s3:::x", "*"]}
	only(policy.deny).params.inline_policy_names == ["p"] with input as principal("aws_iam_user", [], [inline("p", [st])])
}

test_both_reported_once if {
	v := only(policy.deny) with input as principal("aws_iam_group", [admin], [inline("p", [star])])
	v.params.policy_arns == [admin]
	v.params.inline_policy_names == ["p"]
}

test_scoped_policies_allowed if {
	statements := [
		{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]},
		{"Effect": "Allow", "Action": ["*"], "Resource": ["arn:aws:s3:::bucket/*"]},
		{"Effect": "Deny", "Action": ["*"], "Resource": ["*"]},
		{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["*"]},
	]
	attached := ["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::123456789012:policy/AdministratorAccess"]
	count(policy.deny) == 0 with input as principal("aws_iam_role", attached, [inline("p", statements)])
}

test_unknown_document_allowed if {
	doc := {"resource": {"type": "aws_iam_role", "address": "aws_iam_role.r", "plane": "plan", "properties": {"name": "r", "attached_policy_arns": [], "inline_policies": [{"name": "p"}]}}}
	count(policy.deny) == 0 with input as doc
}

test_unknown_name_still_denied if {
	doc := {"resource": {"type": "aws_iam_role", "address": "aws_iam_role.r", "plane": "plan", "properties": {"attached_policy_arns": [admin]}}}
	v := only(policy.deny) with input as doc
	v.params.name == null
	contains(v.msg, "aws_iam_role.r")
}

test_undetermined_unknown_inline_document if {
	doc := principal("aws_iam_role", [], [{"name": "deploy"}])
	some u in policy.undetermined with input as doc
	u.unknown == ["inline_policies[deploy].document"]
	count(policy.deny) == 0 with input as doc
}

test_undetermined_unknown_lists if {
	doc := {"resource": {"type": "aws_iam_role", "address": "aws_iam_role.r", "plane": "plan", "properties": {"name": "r", "attached_policy_arns": []}}}
	some u in policy.undetermined with input as doc
	u.unknown == ["inline_policies"]
}

test_determined_known_policies if {
	count(policy.undetermined) == 0 with input as principal("aws_iam_role", [], [inline("read", [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}])])
}
