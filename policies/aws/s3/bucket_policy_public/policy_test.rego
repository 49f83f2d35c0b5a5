package rectify.aws.s3.bucket_policy_public_test

import data.rectify.aws.s3.bucket_policy_public as policy

bucket(policy_doc) := {"resource": {
	"type": "aws_s3_bucket",
	"address": null,
	"id": "site",
	"plane": "live",
	"properties": {"bucket": "site", "policy": policy_doc},
}}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

get_all := {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::site/*"]}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_principal_star_denied if {
	v := only(policy.deny) with input as bucket(doc([get_all]))
	v.params == {"bucket": "site", "statement_indexes": [0], "statement_ids": ["PublicRead"]}
	contains(v.msg, "s3:GetObject")
	contains(v.msg, "site")
}

test_aws_star_denied if {
	st := object.union(object.remove(get_all, ["Sid"]), {"Principal": {"AWS": ["*"]}})
	v := only(policy.deny) with input as bucket(doc([get_all, st]))
	v.params.statement_indexes == [0, 1]
	v.params.statement_ids == ["PublicRead"]
}

test_not_principal_allow_denied if {
	st := {"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "NotAction": ["s3:DeleteObject"], "Resource": ["*"]}
	v := only(policy.deny) with input as bucket(doc([st]))
	contains(v.msg, "everything but s3:DeleteObject")
}

test_pinning_conditions_allowed if {
	every cond in [
		{"StringEquals": {"aws:SourceVpce": ["vpce-1"]}},
		{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
		{"StringEquals": {"aws:PrincipalOrgID": ["o-abc"]}},
		{"ArnLike": {"aws:SourceArn": ["arn:aws:cloudfront::123456789012:distribution/E1"]}},
		{"ForAnyValue:StringEquals": {"aws:SourceAccount": ["123456789012"]}},
	] {
		count(policy.deny) == 0 with input as bucket(doc([object.union(get_all, {"Condition": cond})]))
	}
}

test_non_pinning_conditions_denied if {
	every cond in [
		{"Bool": {"aws:SecureTransport": ["true"]}},
		{"StringLike": {"aws:SourceVpce": ["vpce-*"]}},
		{"IpAddress": {"aws:SourceIp": ["0.0.0.0/0"]}},
		{"StringNotEquals": {"aws:SourceVpce": ["vpce-1"]}},
		{"StringEqualsIfExists": {"aws:SourceVpce": ["vpce-1"]}},
		{"StringEquals": {"aws:PrincipalArn": ["${aws:username}"]}},
		{"StringEquals": {"s3:prefix": ["public/"]}},
	] {
		only(policy.deny).params.statement_indexes == [0] with input as bucket(doc([object.union(get_all, {"Condition": cond})]))
	}
}

test_named_principals_and_denies_allowed if {
	statements := [
		{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "Action": ["s3:*"], "Resource": ["*"]},
		{"Effect": "Allow", "Principal": {"Service": ["logging.s3.amazonaws.com"]}, "Action": ["s3:PutObject"], "Resource": ["*"]},
		{"Effect": "Deny", "Principal": "*", "Action": ["s3:*"], "Resource": ["*"], "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}},
	]
	count(policy.deny) == 0 with input as bucket(doc(statements))
}

test_no_policy_allowed if {
	count(policy.deny) == 0 with input as bucket(null)
}

test_unknown_policy_allowed if {
	plan_doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.site", "plane": "plan", "properties": {"bucket": "site"}}}
	count(policy.deny) == 0 with input as plan_doc
}

test_unknown_name_still_denied if {
	doc_in := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.site", "plane": "plan", "properties": {"policy": doc([get_all])}}}
	v := only(policy.deny) with input as doc_in
	v.params.bucket == null
	contains(v.msg, "aws_s3_bucket.site")
}

test_undetermined_unknown_policy if {
	unknown := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.site", "plane": "plan", "properties": {"bucket": "site"}}}
	some u in policy.undetermined with input as unknown
	u.unknown == ["policy"]
	count(policy.deny) == 0 with input as unknown
	count(policy.undetermined) == 0 with input as bucket(null)
	count(policy.undetermined) == 0 with input as bucket(doc([get_all]))
}
