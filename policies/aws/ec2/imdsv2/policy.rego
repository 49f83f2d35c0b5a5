# METADATA
# title: EC2 instance allows IMDSv1
# description: >-
#   The instance's metadata service answers plain GET requests (HttpTokens
#   optional), so a server-side request forgery in anything it runs can read
#   the instance role's credentials. IMDSv2 needs a session token that such
#   a request cannot obtain.
# custom:
#   id: aws.ec2.imdsv2
#   severity: HIGH
#   resource_types:
#     - aws_instance
#   remediation: ec2_require_imdsv2
#   controls:
#     - CIS AWS 5.6
#     - AWS FSBP EC2.8
#   default_mode: approve
package rectify.aws.ec2.imdsv2

import data.rectify.aws.lib

# Input: one normalized EC2 instance (internal/service/ec2 instance.go);
# http_tokens and http_endpoint are absent when unknown.
#
# approve: requiring tokens breaks software on the instance that still
# speaks IMDSv1 (old SDKs, agents, scripts using curl): it loses the
# instance's credentials at once. The owner should say the instance is
# ready. An instance whose metadata service is off (http_endpoint
# disabled) answers nothing, so it passes.

deny contains {"msg": msg, "params": {"instance_id": instance_id}} if {
	input.resource.properties.http_tokens == "optional"
	object.get(input.resource.properties, "http_endpoint", "enabled") != "disabled"
	msg := sprintf("EC2 instance %s allows IMDSv1: its metadata service does not require session tokens", [label])
}

instance_id := input.resource.properties.instance_id if {
	is_string(input.resource.properties.instance_id)
} else := null

label := instance_id if {
	is_string(instance_id)
} else := lib.label(input.resource)

# undetermined: whether the instance requires tokens is unknown until
# launch (the AMI decides when the configuration does not).
undetermined contains {"msg": msg, "unknown": ["http_tokens"]} if {
	lib.absent(input.resource.properties, "http_tokens")
	object.get(input.resource.properties, "http_endpoint", "enabled") != "disabled"
	msg := sprintf("EC2 instance %s: whether it requires IMDSv2 is unknown until launch", [label])
}
