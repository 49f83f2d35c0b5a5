package rectify.aws.cloudtrail.kms_encryption_test

import data.rectify.aws.cloudtrail.kms_encryption as policy

trail(props) := {"resource": {
	"type": "aws_cloudtrail",
	"address": null,
	"id": "org-trail",
	"plane": "live",
	"properties": object.union({"name": "org-trail", "logging": true}, props),
}}

test_no_key_denied if {
	some v in policy.deny with input as trail({"kms_key_id": null})
	v.params == {"name": "org-trail"}
	contains(v.msg, "org-trail")
}

test_key_allowed if {
	count(policy.deny) == 0 with input as trail({"kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as trail({})
	some u in policy.undetermined with input as trail({})
	u.unknown == ["kms_key_id"]
	count(policy.undetermined) == 0 with input as trail({"kms_key_id": null})
}
