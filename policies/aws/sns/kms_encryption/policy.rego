# METADATA
# title: SNS topic is not encrypted with KMS
# description: >-
#   The topic stores the messages it has not delivered yet without
#   server-side encryption, so they are readable on the service's storage.
# custom:
#   id: aws.sns.kms_encryption
#   severity: MEDIUM
#   resource_types:
#     - aws_sns_topic
#   remediation: sns_enable_kms_encryption
#   controls:
#     - AWS FSBP SNS.1
#   default_mode: enforce
package rectify.aws.sns.kms_encryption

import data.rectify.aws.lib

# Input: one normalized SNS topic (internal/service/sns topic.go);
# kms_master_key_id is "" when the topic has no key, absent when unknown.
#
# enforce: publishers and subscribers of a topic on the AWS managed key
# need nothing new. A topic that AWS services publish to needs a customer
# managed key instead: docs/controls.md says how to configure one, or to
# exempt the topic.

deny contains {"msg": msg, "params": {"topic_name": name}} if {
	input.resource.properties.kms_master_key_id == ""
	msg := sprintf("SNS topic %s is not encrypted at rest with a KMS key", [label])
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: the key refers to one created in the same apply.
undetermined contains {"msg": msg, "unknown": ["kms_master_key_id"]} if {
	lib.absent(input.resource.properties, "kms_master_key_id")
	msg := sprintf("SNS topic %s: its KMS key is unknown until apply", [label])
}
