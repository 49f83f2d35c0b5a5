package rectify.aws.kms.key_rotation_test

import data.rectify.aws.kms.key_rotation as policy

key_id := "1234abcd-12ab-34cd-56ef-1234567890ab"

key(props) := {"resource": {
	"type": "aws_kms_key",
	"address": null,
	"id": key_id,
	"plane": "live",
	"properties": object.union(
		{
			"key_id": key_id,
			"key_manager": "CUSTOMER",
			"key_spec": "SYMMETRIC_DEFAULT",
			"key_usage": "ENCRYPT_DECRYPT",
			"origin": "AWS_KMS",
			"enabled": true,
		},
		props,
	),
}}

test_rotation_off_denied if {
	some v in policy.deny with input as key({"key_rotation_enabled": false})
	v.params == {"key_id": key_id}
	contains(v.msg, key_id)
}

test_rotation_on_allowed if {
	count(policy.deny) == 0 with input as key({"key_rotation_enabled": true})
}

test_keys_that_cannot_rotate_allowed if {
	every props in [
		{"key_manager": "AWS"},
		{"key_spec": "RSA_2048", "key_usage": "SIGN_VERIFY"},
		{"key_spec": "HMAC_256", "key_usage": "GENERATE_VERIFY_MAC"},
		{"origin": "EXTERNAL"},
		{"origin": "AWS_CLOUDHSM"},
	] {
		count(policy.deny) == 0 with input as key(object.union(props, {"key_rotation_enabled": false}))
	}
}

test_unknowns_allowed if {
	every field in ["key_rotation_enabled", "key_manager", "key_spec", "origin"] {
		doc := json.remove(key({"key_rotation_enabled": false}), [concat("/", ["resource/properties", field])])
		count(policy.deny) == 0 with input as doc
	}
}

test_new_key_in_plan_denied if {
	# A create: the key id is unknown, the rest is known.
	doc := {"resource": {
		"type": "aws_kms_key", "address": "aws_kms_key.data", "id": "", "plane": "plan",
		"properties": {"key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "key_rotation_enabled": false},
	}}
	some v in policy.deny with input as doc
	v.params == {"key_id": null}
	contains(v.msg, "aws_kms_key.data")
}

test_undetermined_unknown_rotation if {
	doc := {"resource": {"type": "aws_kms_key", "address": "aws_kms_key.k", "plane": "plan", "properties": {"key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS"}}}
	some u in policy.undetermined with input as doc
	u.unknown == ["key_rotation_enabled"]
	count(policy.deny) == 0 with input as doc
}

test_determined_when_a_known_value_rules_it_out if {
	# An asymmetric key cannot rotate, whatever else is unknown.
	doc := {"resource": {"type": "aws_kms_key", "address": "aws_kms_key.k", "plane": "plan", "properties": {"key_spec": "RSA_2048"}}}
	count(policy.undetermined) == 0 with input as doc
}
