package rectify.aws.s3.bucket_policy_tls_test

import data.rectify.aws.s3.bucket_policy_tls as policy

bucket(policy_doc) := {"resource": {
	"type": "aws_s3_bucket",
	"address": null,
	"id": "data",
	"plane": "live",
	"properties": {"bucket": "data", "policy": policy_doc},
}}

doc(statements) := {"Version": "2012-10-17", "Statement": statements}

tls_deny := {
	"Sid": "DenyInsecureTransport",
	"Effect": "Deny",
	"Principal": "*",
	"Action": ["s3:*"],
	"Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
	"Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
}

reader := {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::data/*"]}

# set replaces one field; object.union would merge nested objects.
set(st, key, value) := object.union(object.remove(st, [key]), {key: value})

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_no_policy_denied if {
	v := only(policy.deny) with input as bucket(null)
	v.params == {"bucket": "data"}
	contains(v.msg, "no bucket policy")
}

test_policy_without_tls_deny_denied if {
	v := only(policy.deny) with input as bucket(doc([reader]))
	v.params == {"bucket": "data"}
	contains(v.msg, "aws:SecureTransport")
}

test_tls_deny_allowed if {
	count(policy.deny) == 0 with input as bucket(doc([reader, tls_deny]))
}

test_tls_deny_variants_allowed if {
	every st in [
		set(set(tls_deny, "Principal", {"AWS": ["*"]}), "Action", ["*"]),
		set(tls_deny, "Condition", {"BoolIfExists": {"aws:securetransport": ["FALSE"]}}),
	] {
		count(policy.deny) == 0 with input as bucket(doc([st]))
	}
}

test_partial_tls_deny_denied if {
	every st in [
		set(tls_deny, "Action", ["s3:GetObject"]),
		set(tls_deny, "Effect", "Allow"),
		set(tls_deny, "Principal", {"AWS": ["arn:aws:iam::123456789012:root"]}),
		set(tls_deny, "Condition", {"Bool": {"aws:SecureTransport": ["true"]}}),
		set(tls_deny, "Condition", {"NumericLessThan": {"s3:TlsVersion": ["1.2"]}}),
		object.remove(tls_deny, ["Condition"]),
	] {
		count(policy.deny) == 1 with input as bucket(doc([st]))
	}
}

test_unknown_policy_allowed if {
	plan_doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.data", "plane": "plan", "properties": {"bucket": "data"}}}
	count(policy.deny) == 0 with input as plan_doc
}

test_unknown_name_still_denied if {
	plan_doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.data", "plane": "plan", "properties": {"policy": null}}}
	v := only(policy.deny) with input as plan_doc
	v.params == {"bucket": null}
	contains(v.msg, "aws_s3_bucket.data")
}

test_undetermined_unknown_policy if {
	unknown := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.data", "plane": "plan", "properties": {"bucket": "data"}}}
	some u in policy.undetermined with input as unknown
	u.unknown == ["policy"]
	count(policy.deny) == 0 with input as unknown
	count(policy.undetermined) == 0 with input as bucket(null)
	count(policy.undetermined) == 0 with input as bucket(doc([tls_deny]))
}
