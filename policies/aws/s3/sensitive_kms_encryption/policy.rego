# METADATA
# title: Sensitive S3 bucket is not encrypted with KMS
# description: >-
#   The bucket is tagged data-classification confidential, restricted or
#   sensitive, but its default encryption is not SSE-KMS (aws:kms or
#   aws:kms:dsse). Since January 2023 S3 encrypts every bucket with SSE-S3, so
#   the question is not whether data is encrypted but whether access to it
#   also needs permission on a KMS key, with its own audit trail.
# custom:
#   id: aws.s3.sensitive_kms_encryption
#   severity: MEDIUM
#   resource_types:
#     - aws_s3_bucket
#   remediation: s3_enable_kms_encryption
#   controls:
#     - AWS FSBP S3.17
#   default_mode: approve
package rectify.aws.s3.sensitive_kms_encryption

import data.rectify.aws.lib

# Input: one normalized bucket (internal/resource types.go). encryption is
# absent when unknown; a KMS key id that is unknown at plan time is absent
# too, and the algorithm alone decides.
#
# default_mode is approve: the remediation switches new objects to the
# aws/s3 managed key, which other accounts cannot use, so cross-account
# readers of the bucket must be checked first.

sensitive := {"confidential", "restricted", "sensitive"}

kms_algorithms := {"aws:kms", "aws:kms:dsse"}

# Tag keys are case-sensitive in AWS; accept any spelling of the key anyway,
# since a miss here hides a sensitive bucket.
classifications contains lower(trim_space(value)) if {
	some key, value in input.resource.tags
	lower(key) == "data-classification"
}

deny contains {"msg": msg, "params": params} if {
	some class in classifications
	class in sensitive
	algorithm := input.resource.properties.encryption.sse_algorithm
	is_string(algorithm)
	not algorithm in kms_algorithms
	params := {"bucket": bucket, "sse_algorithm": algorithm, "data_classification": class}
	msg := sprintf("S3 bucket %s holds %s data but its default encryption is %s, not SSE-KMS", [label, class, algorithm])
}

bucket := input.resource.properties.bucket if {
	is_string(input.resource.properties.bucket)
} else := null

label := bucket if {
	is_string(bucket)
} else := lib.label(input.resource)

# undetermined: a sensitive bucket whose default encryption is unknown
# until apply. A deny wins.
undetermined contains {"msg": msg, "unknown": ["encryption.sse_algorithm"]} if {
	some class in classifications
	class in sensitive
	not is_string(object.get(object.get(input.resource.properties, "encryption", {}), "sse_algorithm", null))
	msg := sprintf("S3 bucket %s holds %s data and its default encryption is unknown until apply", [label, class])
}
