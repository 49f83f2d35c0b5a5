# METADATA
# title: VPC flow logging is off
# description: >-
#   No flow log records the VPC's rejected traffic, so connection attempts
#   the network refused (scans, probes, a compromised host reaching out)
#   leave no record to investigate.
# custom:
#   id: aws.ec2.vpc_flow_logs
#   severity: MEDIUM
#   resource_types:
#     - aws_vpc
#   remediation: ec2_create_flow_logs
#   controls:
#     - AWS FSBP EC2.6
#     - CIS AWS 3.7
#   default_mode: enforce
package rectify.aws.ec2.vpc_flow_logs

import data.rectify.aws.lib

# Input: one normalized VPC (internal/service/ec2 vpc.go); flow_logs is a
# list, absent when unknown (an existing VPC in a plan).
#
# enforce once the operator names the destination
# (remediation.vpc_flow_logs.destination); until then the action lacks it
# and the control only notifies. As FSBP EC2.6 does, a flow log counts when
# it captures rejected traffic: traffic_type REJECT or ALL.

deny contains {"msg": msg, "params": {"vpc_id": vpc_id}} if {
	is_array(input.resource.properties.flow_logs)
	count(capturing) == 0
	count(unknown_type) == 0
	msg := sprintf("VPC %s has no flow log that records rejected traffic", [label])
}

capturing contains fl if {
	some fl in input.resource.properties.flow_logs
	fl.traffic_type in {"ALL", "REJECT"}
}

# unknown_type: flow logs in a plan whose traffic type is computed.
unknown_type contains fl if {
	some fl in input.resource.properties.flow_logs
	lib.absent(fl, "traffic_type")
}

vpc_id := input.resource.properties.vpc_id if {
	is_string(input.resource.properties.vpc_id)
} else := null

label := vpc_id if {
	is_string(vpc_id)
} else := lib.label(input.resource)

# undetermined: whether the VPC has flow logs is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["flow_logs"]} if {
	lib.absent(input.resource.properties, "flow_logs")
	msg := sprintf("VPC %s: whether a flow log records its traffic is unknown until apply", [label])
}

undetermined contains {"msg": msg, "unknown": ["flow_logs"]} if {
	count(capturing) == 0
	count(unknown_type) > 0
	msg := sprintf("VPC %s: what traffic its flow logs record is unknown until apply", [label])
}
