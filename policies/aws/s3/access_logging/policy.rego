# METADATA
# title: S3 bucket server access logging is off
# description: >-
#   The bucket writes no server access logs, so requests to it (who read or
#   changed which object, from where) leave no record beyond what
#   CloudTrail data events, if any, capture.
# custom:
#   id: aws.s3.access_logging
#   severity: MEDIUM
#   resource_types:
#     - aws_s3_bucket
#   remediation: s3_enable_access_logging
#   controls:
#     - AWS FSBP S3.9
#   default_mode: enforce
package rectify.aws.s3.access_logging

import data.rectify.aws.lib

# Input: one normalized bucket (internal/service/s3 kind.go); logging is
# null when off, absent when unknown.
#
# enforce once the operator names the log bucket
# (remediation.s3_logging.target_bucket); until then the action lacks its
# destination and the control only notifies. The log bucket itself must be
# exempted: it cannot log into itself.

deny contains {"msg": msg, "params": {"bucket": bucket}} if {
	input.resource.properties.logging == null
	msg := sprintf("S3 bucket %s does not write server access logs", [label])
}

bucket := input.resource.properties.bucket if {
	is_string(input.resource.properties.bucket)
} else := null

label := bucket if {
	is_string(bucket)
} else := lib.label(input.resource)

# undetermined: whether the bucket logs is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["logging"]} if {
	lib.absent(input.resource.properties, "logging")
	msg := sprintf("S3 bucket %s: whether it writes server access logs is unknown until apply", [label])
}
