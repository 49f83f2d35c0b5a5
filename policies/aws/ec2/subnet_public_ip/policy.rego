# METADATA
# title: Subnet assigns public IPv4 addresses automatically
# description: >-
#   The subnet's MapPublicIpOnLaunch is on: every instance launched in it
#   gets a public IPv4 address unless its launch asks otherwise, so an
#   instance meant to be private is reachable from the internet as soon as
#   a security group lets anything in.
# custom:
#   id: aws.ec2.subnet_public_ip
#   severity: MEDIUM
#   resource_types:
#     - aws_subnet
#   remediation: ec2_disable_subnet_public_ip
#   controls:
#     - AWS FSBP EC2.15
#   default_mode: enforce
package rectify.aws.ec2.subnet_public_ip

import data.rectify.aws.lib

# Input: one normalized subnet (internal/service/ec2 subnet.go);
# map_public_ip_on_launch is absent when unknown.
#
# enforce: running instances keep their addresses; a launch that needs one
# can still ask for it (AssociatePublicIpAddress), so the change breaks
# nothing that runs and only stops the silent default. Default subnets are
# judged too, as FSBP does: they map public addresses from birth.

deny contains {"msg": msg, "params": {"subnet_id": subnet_id}} if {
	input.resource.properties.map_public_ip_on_launch == true
	msg := sprintf("subnet %s gives every new instance a public IPv4 address", [label])
}

subnet_id := input.resource.properties.subnet_id if {
	is_string(input.resource.properties.subnet_id)
} else := null

label := subnet_id if {
	is_string(subnet_id)
} else := lib.label(input.resource)

# undetermined: whether the subnet maps public addresses is unknown until
# apply.
undetermined contains {"msg": msg, "unknown": ["map_public_ip_on_launch"]} if {
	lib.absent(input.resource.properties, "map_public_ip_on_launch")
	msg := sprintf("subnet %s: whether it gives new instances a public IPv4 address is unknown until apply", [label])
}
