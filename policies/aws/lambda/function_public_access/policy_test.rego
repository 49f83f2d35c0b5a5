package rectify.aws.lambda.function_public_access_test

import data.rectify.aws.lambda.function_public_access as policy

fn(policy_doc) := {"resource": {
	"type": "aws_lambda_function",
	"address": null,
	"id": "orders",
	"plane": "live",
	"properties": {"function_name": "orders", "policy": policy_doc},
}}

doc(statements) := {"Version": "2012-10-17", "Id": "default", "Statement": statements}

invoke(sid, principal) := {
	"Sid": sid, "Effect": "Allow", "Principal": principal,
	"Action": ["lambda:InvokeFunction"],
	"Resource": ["arn:aws:lambda:us-east-1:123456789012:function:orders"],
}

with_condition(st, cond) := object.union(st, {"Condition": cond})

test_star_denied if {
	some v in policy.deny with input as fn(doc([invoke("public", "*"), invoke("s3", {"Service": ["s3.amazonaws.com"]})]))
	v.params == {"function_name": "orders", "statement_ids": ["public"]}
	contains(v.msg, "orders")
}

test_aws_star_denied if {
	some v in policy.deny with input as fn(doc([invoke("b", {"AWS": ["*"]}), invoke("a", "*")]))
	v.params.statement_ids == ["a", "b"]
}

test_source_account_allowed if {
	st := with_condition(invoke("s3", "*"), {"StringEquals": {"AWS:SourceAccount": ["123456789012"]}})
	count(policy.deny) == 0 with input as fn(doc([st]))
}

test_source_arn_allowed if {
	st := with_condition(invoke("s3", "*"), {"ArnLike": {"AWS:SourceArn": ["arn:aws:s3:::uploads"]}})
	count(policy.deny) == 0 with input as fn(doc([st]))
}

test_org_allowed if {
	st := with_condition(invoke("org", {"AWS": ["*"]}), {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}})
	count(policy.deny) == 0 with input as fn(doc([st]))
}

test_wildcard_condition_denied if {
	st := with_condition(invoke("any", "*"), {"ArnLike": {"AWS:SourceArn": ["arn:aws:s3:::*"]}})
	some v in policy.deny with input as fn(doc([st]))
	v.params.statement_ids == ["any"]
}

test_function_url_auth_type_still_public if {
	st := with_condition(invoke("url", "*"), {"StringEquals": {"lambda:FunctionUrlAuthType": ["NONE"]}})
	count(policy.deny) == 1 with input as fn(doc([st]))
}

test_account_principal_allowed if {
	count(policy.deny) == 0 with input as fn(doc([invoke("x", {"AWS": ["arn:aws:iam::210987654321:root"]})]))
}

test_no_policy_allowed if {
	count(policy.deny) == 0 with input as fn(null)
	count(policy.undetermined) == 0 with input as fn(null)
}

test_unknown_policy_undetermined if {
	inp := {"resource": {"type": "aws_lambda_function", "address": "aws_lambda_function.f", "id": null, "plane": "plan", "properties": {"function_name": "orders"}}}
	count(policy.deny) == 0 with input as inp
	some u in policy.undetermined with input as inp
	u.unknown == ["policy"]
}
