# METADATA
# title: S3 bucket does not block public access
# description: >-
#   The bucket has no S3 Block Public Access configuration, or one of its four
#   settings (block_public_acls, ignore_public_acls, block_public_policy,
#   restrict_public_buckets) is off, so an ACL or bucket policy can make its
#   objects public.
# custom:
#   id: aws.s3.public_access_block
#   severity: HIGH
#   resource_types:
#     - aws_s3_bucket
#   remediation: s3_block_public_access
#   controls:
#     - CIS AWS 2.1.4
#     - AWS FSBP S3.1
#     - AWS FSBP S3.8
#   default_mode: enforce
package rectify.aws.s3.public_access_block

# Input: one normalized bucket (see internal/resource).
# properties.public_access_block is null when the bucket has none, an object
# when it has one, and absent when it is unknown (plan plane). A flag that is
# absent is unknown too; only an explicit false denies.

flags := ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]

deny contains {"msg": msg, "params": {"bucket": bucket, "missing_flags": flags}} if {
	input.resource.properties.public_access_block == null
	msg := sprintf("S3 bucket %s has no public access block", [bucket_label])
}

deny contains {"msg": msg, "params": {"bucket": bucket, "missing_flags": missing}} if {
	pab := input.resource.properties.public_access_block
	is_object(pab)
	missing := [flag | some flag in flags; pab[flag] == false]
	count(missing) > 0
	msg := sprintf("S3 bucket %s does not enforce %s", [bucket_label, concat(", ", missing)])
}

# The bucket name can be unknown at plan time (bucket_prefix); the verdict does
# not depend on it, so the deny still fires with a null name.
bucket := input.resource.properties.bucket if {
	is_string(input.resource.properties.bucket)
} else := null

bucket_label := bucket if {
	is_string(bucket)
} else := input.resource.address if {
	is_string(input.resource.address)
} else := "(unknown name)"

# undetermined: the block, or some of its flags, are unknown until apply
# (an existing bucket whose block this plan does not manage, a flag from a
# resource created in the same plan). A deny wins.
undetermined contains {"msg": msg, "unknown": ["public_access_block"]} if {
	not "public_access_block" in object.keys(input.resource.properties)
	msg := sprintf("S3 bucket %s: whether it has a public access block is unknown until apply", [bucket_label])
}

undetermined contains {"msg": msg, "unknown": [sprintf("public_access_block.%s", [f]) | some f in unknown]} if {
	pab := input.resource.properties.public_access_block
	is_object(pab)
	unknown := [flag | some flag in flags; not flag in object.keys(pab)]
	count(unknown) > 0
	msg := sprintf("S3 bucket %s: public access block %s unknown until apply", [bucket_label, concat(", ", unknown)])
}
