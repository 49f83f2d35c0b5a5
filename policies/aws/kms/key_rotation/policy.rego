# METADATA
# title: KMS customer managed key rotation is off
# description: >-
#   Automatic yearly rotation of the key material is disabled on a customer
#   managed symmetric encryption key whose material KMS generated. Rotation
#   keeps old material for decryption, so turning it on breaks nothing.
# custom:
#   id: aws.kms.key_rotation
#   severity: MEDIUM
#   resource_types:
#     - aws_kms_key
#   remediation: kms_enable_rotation
#   controls:
#     - CIS AWS 3.6
#     - AWS FSBP KMS.4
#   default_mode: enforce
package rectify.aws.kms.key_rotation

import data.rectify.aws.lib

# Input: one normalized KMS key (internal/resource types.go). Every
# condition needs a known value: AWS managed keys rotate on their own, and
# asymmetric, HMAC, imported and custom key store keys cannot rotate
# automatically, so an unknown spec, manager or origin never denies.

deny contains {"msg": msg, "params": {"key_id": key_id}} if {
	props := input.resource.properties
	props.key_manager == "CUSTOMER"
	props.key_spec == "SYMMETRIC_DEFAULT"
	props.origin == "AWS_KMS"
	props.key_rotation_enabled == false
	msg := sprintf("KMS key %s does not rotate its key material", [lib.label(input.resource)])
}

key_id := input.resource.properties.key_id if {
	is_string(input.resource.properties.key_id)
} else := null

# undetermined: a key that may be a rotatable customer key without
# rotation, where some of what decides it is unknown until apply. Every
# known value must point the deny's way; a deny wins.
expected := {"key_manager": "CUSTOMER", "key_spec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "key_rotation_enabled": false}

undetermined contains {"msg": msg, "unknown": unknown} if {
	props := input.resource.properties
	unknown := sort([k | some k, _ in expected; lib.absent(props, k)])
	count(unknown) > 0
	every k, v in expected {
		object.get(props, k, v) == v
	}
	msg := sprintf("KMS key %s: %s unknown until apply, so whether it rotates cannot be told", [lib.label(input.resource), concat(", ", unknown)])
}
