package rectify.aws.ec2.vpc_flow_logs_test

import data.rectify.aws.ec2.vpc_flow_logs as policy

vpc(props) := {"resource": {
	"type": "aws_vpc",
	"address": null,
	"id": "vpc-0a1b2c3d",
	"plane": "live",
	"properties": object.union({"vpc_id": "vpc-0a1b2c3d", "is_default": false}, props),
}}

flow_log(traffic) := {"flow_log_id": "fl-0123", "traffic_type": traffic, "destination_type": "s3", "destination": "arn:aws:s3:::acme-flow-logs", "status": "ACTIVE"}

test_no_flow_logs_denied if {
	some v in policy.deny with input as vpc({"flow_logs": []})
	v.params == {"vpc_id": "vpc-0a1b2c3d"}
	contains(v.msg, "vpc-0a1b2c3d")
}

test_accept_only_denied if {
	count(policy.deny) == 1 with input as vpc({"flow_logs": [flow_log("ACCEPT")]})
}

test_reject_allowed if {
	count(policy.deny) == 0 with input as vpc({"flow_logs": [flow_log("REJECT")]})
}

test_all_allowed if {
	count(policy.deny) == 0 with input as vpc({"flow_logs": [flow_log("ACCEPT"), flow_log("ALL")]})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as vpc({})
	some u in policy.undetermined with input as vpc({})
	u.unknown == ["flow_logs"]
	count(policy.undetermined) == 0 with input as vpc({"flow_logs": [flow_log("REJECT")]})
}

test_new_vpc_in_plan_denied if {
	doc := {"resource": {"type": "aws_vpc", "address": "aws_vpc.main", "id": "", "plane": "plan", "properties": {"flow_logs": []}}}
	some v in policy.deny with input as doc
	v.params == {"vpc_id": null}
	contains(v.msg, "aws_vpc.main")
}

test_planned_flow_log_of_unknown_type_undetermined if {
	doc := {"resource": {"type": "aws_vpc", "address": "aws_vpc.main", "id": "", "plane": "plan", "properties": {"flow_logs": [{}]}}}
	count(policy.deny) == 0 with input as doc
	count(policy.undetermined) == 1 with input as doc
}
