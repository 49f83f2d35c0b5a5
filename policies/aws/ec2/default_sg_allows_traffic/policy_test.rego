package rectify.aws.ec2.default_sg_allows_traffic_test

import data.rectify.aws.ec2.default_sg_allows_traffic as policy

group(name, ingress, egress) := {"resource": {
	"type": "aws_security_group",
	"address": null,
	"id": "sg-0def",
	"plane": "live",
	"properties": {"group_id": "sg-0def", "group_name": name, "vpc_id": "vpc-1", "ingress": ingress, "egress": egress},
}}

# AWS creates every default group with these two rules.
self_rule := {"rule_id": "sgr-self", "protocol": "-1", "from_port": 0, "to_port": 65535, "referenced_group_id": "sg-0def"}

all_out := {"rule_id": "sgr-out", "protocol": "-1", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_aws_defaults_denied if {
	v := only(policy.deny) with input as group("default", [self_rule], [all_out])
	v.params == {
		"group_id": "sg-0def",
		"ingress_rule_ids": ["sgr-self"],
		"egress_rule_ids": ["sgr-out"],
		"ingress_rules": 1,
		"egress_rules": 1,
	}
	contains(v.msg, "sg-0def")
}

test_egress_only_denied if {
	v := only(policy.deny) with input as group("default", [], [all_out])
	v.params.egress_rule_ids == ["sgr-out"]
	v.params.ingress_rules == 0
}

test_empty_default_allowed if {
	count(policy.deny) == 0 with input as group("default", [], [])
}

test_other_groups_allowed if {
	count(policy.deny) == 0 with input as group("web", [self_rule], [all_out])
}

test_unknown_name_allowed if {
	doc := {"resource": {"type": "aws_security_group", "properties": {"ingress": [self_rule], "egress": []}}}
	count(policy.deny) == 0 with input as doc
}

test_unknown_lists_allowed if {
	# Plan plane: aws_default_security_group whose rules are not known yet.
	doc := {"resource": {"type": "aws_security_group", "address": "aws_default_security_group.d", "plane": "plan", "properties": {"group_name": "default"}}}
	count(policy.deny) == 0 with input as doc
}

test_plan_rules_without_ids_denied if {
	doc := {"resource": {
		"type": "aws_security_group", "address": "aws_default_security_group.d", "id": "", "plane": "plan",
		"properties": {"group_name": "default", "ingress": [{"protocol": "-1", "from_port": 0, "to_port": 65535}]},
	}}
	v := only(policy.deny) with input as doc
	v.params == {"group_id": null, "ingress_rule_ids": [], "egress_rule_ids": [], "ingress_rules": 1, "egress_rules": 0}
	contains(v.msg, "aws_default_security_group.d")
}

test_undetermined_unknown_rules if {
	doc := {"resource": {"type": "aws_security_group", "address": "aws_default_security_group.d", "plane": "plan", "properties": {"group_name": "default", "egress": []}}}
	some u in policy.undetermined with input as doc
	u.unknown == ["ingress"]
	count(policy.deny) == 0 with input as doc
}

test_determined_known_rules if {
	count(policy.undetermined) == 0 with input as group("default", [], [])
	count(policy.undetermined) == 0 with input as {"resource": {"type": "aws_security_group", "properties": {"group_name": "web"}}}
}
