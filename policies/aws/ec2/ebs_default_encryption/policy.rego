# METADATA
# title: EBS encryption by default is off in a region
# description: >-
#   The account-wide EBS setting that encrypts every new volume and snapshot
#   copy in this region is disabled, so a volume created without asking for
#   encryption is stored unencrypted.
# custom:
#   id: aws.ec2.ebs_default_encryption
#   severity: MEDIUM
#   resource_types:
#     - aws_ebs_encryption_by_default
#   remediation: ec2_enable_ebs_default_encryption
#   controls:
#     - CIS AWS 2.2.1
#     - AWS FSBP EC2.7
#   default_mode: enforce
package rectify.aws.ec2.ebs_default_encryption

# Input: the per-region setting (internal/resource types.go): {"enabled": bool},
# absent when unknown.
#
# enforce: turning it on changes only volumes created afterwards, using the
# aws/ebs key, and breaks nothing that runs.

deny contains {"msg": msg, "params": {"region": region}} if {
	input.resource.properties.enabled == false
	msg := sprintf("EBS encryption by default is off in %s", [label])
}

region := input.resource.region if {
	is_string(input.resource.region)
	input.resource.region != ""
} else := null

label := region if {
	is_string(region)
} else := input.resource.address if {
	is_string(input.resource.address)
} else := "this region"

# undetermined: whether the setting is on is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["enabled"]} if {
	not "enabled" in object.keys(input.resource.properties)
	msg := sprintf("EBS encryption by default in %s: whether it is on is unknown until apply", [label])
}
