package rectify.aws.s3.sensitive_kms_encryption_test

import data.rectify.aws.s3.sensitive_kms_encryption as policy

bucket(tags, encryption) := {"resource": {
	"type": "aws_s3_bucket",
	"address": null,
	"id": "payroll",
	"tags": tags,
	"plane": "live",
	"properties": {"bucket": "payroll", "encryption": encryption},
}}

sse_s3 := {"sse_algorithm": "AES256"}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_sensitive_classes_on_sse_s3_denied if {
	every class in ["confidential", "restricted", "sensitive", "Confidential", " SENSITIVE "] {
		v := only(policy.deny) with input as bucket({"data-classification": class}, sse_s3)
		v.params.sse_algorithm == "AES256"
		v.params.bucket == "payroll"
	}
	v := only(policy.deny) with input as bucket({"Data-Classification": "restricted"}, sse_s3)
	v.params == {"bucket": "payroll", "sse_algorithm": "AES256", "data_classification": "restricted"}
	contains(v.msg, "payroll")
}

test_kms_allowed if {
	every enc in [
		{"sse_algorithm": "aws:kms", "kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/1"},
		{"sse_algorithm": "aws:kms"},
		{"sse_algorithm": "aws:kms:dsse"},
	] {
		count(policy.deny) == 0 with input as bucket({"data-classification": "confidential"}, enc)
	}
}

test_other_classes_allowed if {
	every tags in [{}, {"data-classification": "public"}, {"data-classification": "internal"}, {"classification": "confidential"}] {
		count(policy.deny) == 0 with input as bucket(tags, sse_s3)
	}
}

test_unknown_encryption_allowed if {
	every props in [{"bucket": "payroll"}, {"bucket": "payroll", "encryption": {}}] {
		doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.payroll", "plane": "plan", "tags": {"data-classification": "confidential"}, "properties": props}}
		count(policy.deny) == 0 with input as doc
	}
}

test_no_tags_allowed if {
	doc := {"resource": {"type": "aws_s3_bucket", "properties": {"encryption": sse_s3}}}
	count(policy.deny) == 0 with input as doc
}

test_undetermined_unknown_encryption if {
	doc := {"resource": {"type": "aws_s3_bucket", "address": "aws_s3_bucket.payroll", "tags": {"data-classification": "confidential"}, "plane": "plan", "properties": {"bucket": "payroll"}}}
	some u in policy.undetermined with input as doc
	u.unknown == ["encryption.sse_algorithm"]
	count(policy.deny) == 0 with input as doc
}

test_determined_not_sensitive_or_known if {
	doc := {"resource": {"type": "aws_s3_bucket", "tags": {}, "plane": "plan", "properties": {"bucket": "payroll"}}}
	count(policy.undetermined) == 0 with input as doc
	count(policy.undetermined) == 0 with input as bucket({"data-classification": "confidential"}, sse_s3)
}
