# METADATA
# title: S3 bucket policy grants access to everyone
# description: >-
#   A statement of the bucket policy allows a public principal ("*",
#   {"AWS": "*"}, or everyone but a NotPrincipal) without a condition that
#   pins the caller to fixed values of a source or principal key (aws:SourceIp,
#   aws:SourceVpc, aws:SourceVpce, aws:SourceArn, aws:SourceAccount,
#   aws:SourceOwner, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn,
#   aws:userid, s3:DataAccessPointArn, s3:DataAccessPointAccount), the same
#   test S3 applies to call a policy public.
# custom:
#   id: aws.s3.bucket_policy_public
#   severity: CRITICAL
#   resource_types:
#     - aws_s3_bucket
#   remediation: s3_delete_public_statements
#   controls:
#     - AWS FSBP S3.2
#     - AWS FSBP S3.3
#   default_mode: approve
package rectify.aws.s3.bucket_policy_public

import data.rectify.aws.lib

# Input: one normalized bucket (internal/resource types.go); policy is null
# (none), a normalized document, or absent (unknown at plan time).
#
# default_mode is approve: public statements are sometimes intended (a
# static website), and deleting them is visible to every reader.

deny contains {"msg": msg, "params": params} if {
	count(public) > 0
	indexes := sort([i | some i in public])
	params := {
		"bucket": bucket,
		# Indexes into the policy's Statement list, which normalization
		# keeps in order; Sids where the statements have them.
		"statement_indexes": indexes,
		"statement_ids": sort([st.Sid | some i in indexes; st := statements[i]; is_string(st.Sid)]),
	}
	msg := sprintf("S3 bucket %s policy allows %s to everyone", [
		label,
		concat(", ", sort({a | some i in indexes; some a in actions(statements[i])})),
	])
}

statements := input.resource.properties.policy.Statement

public contains i if {
	some i, st in statements
	lib.grants_everyone(st)
	not restricted(st)
}

actions(st) := st.Action if st.Action

actions(st) := [sprintf("everything but %s", [concat(", ", st.NotAction)])] if st.NotAction

# Condition operators that pin a key to the listed values. A negated
# operator, or ...IfExists (which passes when the key is absent), does not.
pinning_operators := {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress"}

pinning_keys := {
	"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:sourcearn",
	"aws:sourceaccount", "aws:sourceowner", "aws:principalorgid",
	"aws:principalaccount", "aws:principalarn", "aws:userid",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount",
}

restricted(st) if {
	some op, keys in st.Condition
	base_operator(op) in pinning_operators
	some key, values in keys
	lower(key) in pinning_keys
	count(values) > 0
	every v in values {
		fixed(v)
	}
}

base_operator(op) := trim_prefix(trim_prefix(op, "ForAnyValue:"), "ForAllValues:")

# fixed: no wildcard, no policy variable, and no /0 network.
fixed(v) if {
	not contains(v, "*")
	not contains(v, "?")
	not contains(v, "${")
	not lib.zero_prefix(v)
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
	msg := sprintf("S3 bucket %s: its bucket policy is unknown until apply, so whether it grants access to everyone cannot be told", [label])
}
