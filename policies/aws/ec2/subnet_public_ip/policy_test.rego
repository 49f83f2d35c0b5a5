package rectify.aws.ec2.subnet_public_ip_test

import data.rectify.aws.ec2.subnet_public_ip as policy

subnet(props) := {"resource": {
	"type": "aws_subnet",
	"address": null,
	"id": "subnet-0a1b2c3d",
	"plane": "live",
	"properties": object.union({"subnet_id": "subnet-0a1b2c3d", "vpc_id": "vpc-0main"}, props),
}}

test_mapping_public_ips_denied if {
	some v in policy.deny with input as subnet({"map_public_ip_on_launch": true})
	v.params == {"subnet_id": "subnet-0a1b2c3d"}
	contains(v.msg, "subnet-0a1b2c3d")
}

test_default_subnet_denied_too if {
	count(policy.deny) == 1 with input as subnet({"map_public_ip_on_launch": true, "default_for_az": true})
}

test_private_subnet_allowed if {
	count(policy.deny) == 0 with input as subnet({"map_public_ip_on_launch": false})
}

test_unknown_allowed_and_undetermined if {
	count(policy.deny) == 0 with input as subnet({})
	some u in policy.undetermined with input as subnet({})
	u.unknown == ["map_public_ip_on_launch"]
	count(policy.undetermined) == 0 with input as subnet({"map_public_ip_on_launch": false})
}

test_new_subnet_in_plan_denied if {
	doc := {"resource": {
		"type": "aws_subnet", "address": "aws_subnet.public_a", "id": "", "plane": "plan",
		"properties": {"map_public_ip_on_launch": true},
	}}
	some v in policy.deny with input as doc
	v.params == {"subnet_id": null}
	contains(v.msg, "aws_subnet.public_a")
}
