# METADATA
# title: CloudTrail trail is not encrypted with KMS
# description: >-
#   The trail's log files are encrypted with SSE-S3 only, so anyone who may
#   read the bucket reads the logs; with SSE-KMS they also need kms:Decrypt
#   on the key, which is a separate, audited grant.
# custom:
#   id: aws.cloudtrail.kms_encryption
#   severity: MEDIUM
#   resource_types:
#     - aws_cloudtrail
#   remediation: cloudtrail_set_kms_key
#   controls:
#     - CIS AWS 3.5
#     - AWS FSBP CloudTrail.2
#   default_mode: approve
package rectify.aws.cloudtrail.kms_encryption

import data.rectify.aws.lib

# Input: one normalized trail (internal/service/cloudtrail trail.go);
# kms_key_id is null without SSE-KMS, absent when unknown (a key created in
# the same plan).
#
# Until the operator names the key (remediation.cloudtrail.kms_key_id) the
# action lacks it and the control only notifies. Then approve, not
# enforce: every reader of the log files (a SIEM, Athena, a log archive
# account) needs kms:Decrypt on the key from then on, which rectify cannot
# check, and the key's policy must let CloudTrail encrypt, or CloudTrail
# refuses it.

deny contains {"msg": msg, "params": {"name": name}} if {
	input.resource.properties.kms_key_id == null
	msg := sprintf("CloudTrail trail %s does not encrypt its log files with a KMS key", [label])
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: whether the trail has a key is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["kms_key_id"]} if {
	lib.absent(input.resource.properties, "kms_key_id")
	msg := sprintf("CloudTrail trail %s: whether it encrypts its log files with KMS is unknown until apply", [label])
}
