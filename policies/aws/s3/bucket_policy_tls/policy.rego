# METADATA
# title: S3 bucket policy does not deny requests without TLS
# description: >-
#   The bucket has no policy, or its policy has no statement that denies every
#   S3 action ("s3:*" or "*") to everyone when aws:SecureTransport is false, so
#   objects can be read and written over plain HTTP.
# custom:
#   id: aws.s3.bucket_policy_tls
#   severity: MEDIUM
#   resource_types:
#     - aws_s3_bucket
#   remediation: s3_add_tls_deny
#   controls:
#     - CIS AWS 2.1.1
#     - AWS FSBP S3.5
#   default_mode: approve
package rectify.aws.s3.bucket_policy_tls

import data.rectify.aws.lib

# Input: one normalized bucket (internal/resource types.go); policy is null
# (none), a normalized document, or absent (unknown at plan time: no deny).
#
# default_mode is approve: the added statement also blocks legitimate
# HTTP-only clients, which someone should confirm do not exist.

deny contains {"msg": msg, "params": {"bucket": bucket}} if {
	input.resource.properties.policy == null
	msg := sprintf("S3 bucket %s has no bucket policy, so nothing denies requests without TLS", [label])
}

deny contains {"msg": msg, "params": {"bucket": bucket}} if {
	doc := input.resource.properties.policy
	is_object(doc)
	not denies_plain_http(doc)
	msg := sprintf("S3 bucket %s policy does not deny requests without TLS (aws:SecureTransport false)", [label])
}

denies_plain_http(doc) if {
	some st in doc.Statement
	st.Effect == "Deny"
	lib.everyone(st.Principal)
	some action in st.Action
	lower(action) in {"s3:*", "*"}
	insecure_transport(st.Condition)
}

insecure_transport(cond) if {
	some op, keys in cond
	op in {"Bool", "BoolIfExists"}
	some key, values in keys
	lower(key) == "aws:securetransport"
	some v in values
	lower(v) == "false"
}

bucket := input.resource.properties.bucket if {
	is_string(input.resource.properties.bucket)
} else := null

label := bucket if {
	is_string(bucket)
} else := lib.label(input.resource)

# undetermined: the bucket policy is unknown until apply, typically because
# it names the ARN of a bucket created in the same plan. A deny wins.
undetermined contains {"msg": msg, "unknown": ["policy"]} if {
	not "policy" in object.keys(input.resource.properties)
	msg := sprintf("S3 bucket %s: its bucket policy is unknown until apply, so whether it denies requests without TLS cannot be told", [label])
}
