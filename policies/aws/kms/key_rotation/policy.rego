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
