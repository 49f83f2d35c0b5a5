package rectify.aws.s3.public_access_block_test

import data.rectify.aws.s3.public_access_block as policy

all_flags := ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]

bucket(pab) := {"resource": {
	"type": "aws_s3_bucket",
	"address": null,
	"arn": "arn:aws:s3:::logs",
	"id": "logs",
	"name": "logs",
	"account": "123456789012",
	"region": "us-east-1",
	"tags": {},
	"plane": "live",
	"properties": {"bucket": "logs", "public_access_block": pab},
}}

blocked := {flag: true | some flag in all_flags}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_missing_block_denied if {
	v := only(policy.deny) with input as bucket(null)
	v.params == {"bucket": "logs", "missing_flags": all_flags}
	contains(v.msg, "logs")
}

test_fully_blocked_allowed if {
	count(policy.deny) == 0 with input as bucket(blocked)
}

test_each_flag_off_denied if {
	every flag in all_flags {
		v := only(policy.deny) with input as bucket(object.union(blocked, {flag: false}))
		v.params == {"bucket": "logs", "missing_flags": [flag]}
	}
}

test_all_flags_off_denied if {
	off := {flag: false | some flag in all_flags}
	v := only(policy.deny) with input as bucket(off)
	v.params.missing_flags == all_flags
}

test_unknown_flag_allowed if {
	# restrict_public_buckets is unknown: the other three are on, so no deny.
	count(policy.deny) == 0 with input as bucket(object.remove(blocked, ["restrict_public_buckets"]))
}

test_unknown_flag_does_not_hide_known_false if {
	pab := {"block_public_acls": false, "ignore_public_acls": true}
	v := only(policy.deny) with input as bucket(pab)
	v.params.missing_flags == ["block_public_acls"]
}

test_unknown_block_allowed if {
	# Plan plane: the aws_s3_bucket_public_access_block is not known yet.
	doc := {"resource": {
		"type": "aws_s3_bucket",
		"address": "aws_s3_bucket.logs",
		"plane": "plan",
		"properties": {"bucket": "logs"},
	}}
	count(policy.deny) == 0 with input as doc
}

test_unknown_name_still_denied if {
	doc := {"resource": {
		"type": "aws_s3_bucket",
		"address": "aws_s3_bucket.logs",
		"plane": "plan",
		"properties": {"public_access_block": null},
	}}
	v := only(policy.deny) with input as doc
	v.params == {"bucket": null, "missing_flags": all_flags}
	contains(v.msg, "aws_s3_bucket.logs")
}

test_undetermined_unknown_block if {
	doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.logs", "plane": "plan", "properties": {"bucket": "logs"}}}
	some u in policy.undetermined with input as doc
	u.unknown == ["public_access_block"]
	count(policy.deny) == 0 with input as doc
}

test_undetermined_unknown_flag if {
	some u in policy.undetermined with input as bucket({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true})
	u.unknown == ["public_access_block.restrict_public_buckets"]
}

test_determined_known_block if {
	count(policy.undetermined) == 0 with input as bucket(blocked)
	count(policy.undetermined) == 0 with input as bucket(null)
}
