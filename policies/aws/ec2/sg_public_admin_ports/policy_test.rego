package rectify.aws.ec2.sg_public_admin_ports_test

import data.rectify.aws.ec2.sg_public_admin_ports as policy

# sg wraps ingress rules in a live-plane security group document.
sg(ingress) := {"resource": {
	"type": "aws_security_group",
	"address": null,
	"arn": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
	"id": "sg-0abc",
	"name": "web",
	"account": "123456789012",
	"region": "us-east-1",
	"tags": {},
	"plane": "live",
	"properties": {
		"group_id": "sg-0abc",
		"group_name": "web",
		"vpc_id": "vpc-1",
		"ingress": ingress,
		"egress": [],
	},
}}

# plan_sg is the same group as a create in a Terraform plan: no ID yet.
plan_sg(ingress) := {"resource": {
	"type": "aws_security_group",
	"address": "aws_security_group.web",
	"arn": null,
	"id": null,
	"name": "web",
	"tags": {},
	"plane": "plan",
	"properties": {"group_name": "web", "ingress": ingress, "egress": []},
}}

tcp(id, from, to, cidr) := {"rule_id": id, "protocol": "tcp", "from_port": from, "to_port": to, "cidr_ipv4": cidr}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_ssh_from_ipv4_world_denied if {
	rule := tcp("sgr-ssh", 22, 22, "0.0.0.0/0")
	v := only(policy.deny) with input as sg([rule])
	v.params == {"rule_ids": ["sgr-ssh"], "rules": [rule]}
	contains(v.msg, "sg-0abc")
	contains(v.msg, "tcp 22-22 from 0.0.0.0/0")
}

test_rdp_from_ipv6_world_denied if {
	rule := {"rule_id": "sgr-rdp6", "protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr_ipv6": "::/0"}
	v := only(policy.deny) with input as sg([rule])
	v.params.rule_ids == ["sgr-rdp6"]
}

test_udp_rdp_denied if {
	rule := {"rule_id": "sgr-u", "protocol": "udp", "from_port": 3389, "to_port": 3389, "cidr_ipv4": "0.0.0.0/0"}
	v := only(policy.deny) with input as sg([rule])
	v.params.rule_ids == ["sgr-u"]
}

test_non_canonical_zero_prefix_denied if {
	every cidr in ["10.1.2.3/0", "0.0.0.0/00"] {
		v := only(policy.deny) with input as sg([tcp("sgr-x", 22, 22, cidr)])
		v.params.rule_ids == ["sgr-x"]
	}
	v6 := {"rule_id": "sgr-y", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv6": "2001:db8::/0"}
	only(policy.deny).params.rule_ids == ["sgr-y"] with input as sg([v6])
}

test_port_ranges_covering_admin_ports_denied if {
	every range in [[0, 65535], [20, 25], [3389, 3390], [22, 3389]] {
		v := only(policy.deny) with input as sg([tcp("sgr-r", range[0], range[1], "0.0.0.0/0")])
		v.params.rule_ids == ["sgr-r"]
	}
}

test_port_ranges_missing_admin_ports_allowed if {
	every range in [[23, 3388], [80, 80], [443, 443], [3390, 65535], [0, 21]] {
		count(policy.deny) == 0 with input as sg([tcp("sgr-r", range[0], range[1], "0.0.0.0/0")])
	}
}

test_all_traffic_denied if {
	rule := {"rule_id": "sgr-all", "protocol": "-1", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}
	v := only(policy.deny) with input as sg([rule])
	v.params.rule_ids == ["sgr-all"]
}

test_all_traffic_without_ports_denied if {
	# Ports mean nothing for protocol -1, so their absence is not an unknown.
	rule := {"rule_id": "sgr-all", "protocol": "-1", "cidr_ipv6": "::/0"}
	v := only(policy.deny) with input as sg([rule])
	v.params.rule_ids == ["sgr-all"]
}

test_private_cidrs_allowed if {
	every cidr in ["10.0.0.0/8", "0.0.0.0/1", "0.0.0.0/10", "192.168.1.10/32"] {
		count(policy.deny) == 0 with input as sg([tcp("sgr-p", 22, 22, cidr)])
	}
}

test_non_cidr_peers_allowed if {
	group := {"rule_id": "sgr-g", "protocol": "tcp", "from_port": 22, "to_port": 22, "referenced_group_id": "sg-bastion"}
	prefix_list := {"rule_id": "sgr-pl", "protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_id": "pl-1"}
	count(policy.deny) == 0 with input as sg([group, prefix_list])
}

test_icmp_allowed if {
	# ICMP "ports" are type and code; type 22 is not SSH.
	icmp := {"rule_id": "sgr-i", "protocol": "icmp", "from_port": 22, "to_port": -1, "cidr_ipv4": "0.0.0.0/0"}
	icmpv6 := {"rule_id": "sgr-i6", "protocol": "icmpv6", "from_port": -1, "to_port": -1, "cidr_ipv6": "::/0"}
	count(policy.deny) == 0 with input as sg([icmp, icmpv6])
}

test_egress_ignored if {
	doc := json.patch(sg([]), [{
		"op": "replace", "path": "/resource/properties/egress",
		"value": [{"rule_id": "sgr-e", "protocol": "-1", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}],
	}])
	count(policy.deny) == 0 with input as doc
}

test_compliant_group_allowed if {
	rules := [
		tcp("sgr-https", 443, 443, "0.0.0.0/0"),
		tcp("sgr-ssh-vpn", 22, 22, "10.20.0.0/16"),
		{"rule_id": "sgr-https6", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": "::/0"},
	]
	count(policy.deny) == 0 with input as sg(rules)
}

test_no_ingress_allowed if {
	count(policy.deny) == 0 with input as {"resource": {"type": "aws_security_group", "properties": {}}}
}

test_several_rules_one_violation if {
	rules := [
		tcp("sgr-b", 22, 22, "0.0.0.0/0"),
		tcp("sgr-https", 443, 443, "0.0.0.0/0"),
		{"rule_id": "sgr-a", "protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr_ipv6": "::/0"},
	]
	v := only(policy.deny) with input as sg(rules)
	v.params.rule_ids == ["sgr-a", "sgr-b"]
	count(v.params.rules) == 2
}

# Unknowns (plan plane): never deny on a value that is not known yet.

test_unknown_cidr_allowed if {
	rule := {"protocol": "tcp", "from_port": 22, "to_port": 22}
	count(policy.deny) == 0 with input as plan_sg([rule])
}

test_unknown_ports_allowed if {
	every rule in [
		{"protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"},
		{"protocol": "tcp", "from_port": 22, "cidr_ipv4": "0.0.0.0/0"},
		{"protocol": "tcp", "to_port": 22, "cidr_ipv4": "0.0.0.0/0"},
	] {
		count(policy.deny) == 0 with input as plan_sg([rule])
	}
}

test_unknown_protocol_allowed if {
	rule := {"from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}
	count(policy.deny) == 0 with input as plan_sg([rule])
}

test_unknown_rule_id_still_denied if {
	rule := {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"}
	v := only(policy.deny) with input as plan_sg([rule])
	v.params == {"rule_ids": [], "rules": [rule]}
	contains(v.msg, "aws_security_group.web")
}

test_rule_ids_hold_only_known_ids if {
	rules := [
		{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"},
		tcp("sgr-known", 3389, 3389, "0.0.0.0/0"),
	]
	v := only(policy.deny) with input as plan_sg(rules)
	v.params.rule_ids == ["sgr-known"]
	count(v.params.rules) == 2
}

# undetermined: the verdict depends on values unknown at plan time.

test_undetermined_unknown_ingress if {
	doc := {"resource": object.union(object.remove(plan_sg([]).resource, ["properties"]), {"properties": {"group_name": "web"}})}
	some u in policy.undetermined with input as doc
	u.unknown == ["ingress"]
	count(policy.deny) == 0 with input as doc
}

test_undetermined_unknown_peer_on_ssh if {
	rule := {"protocol": "tcp", "from_port": 22, "to_port": 22}
	some u in policy.undetermined with input as plan_sg([rule])
	contains(u.msg, "ingress tcp 22-22 from (unknown peer)")
	count(policy.deny) == 0 with input as plan_sg([rule])
}

test_undetermined_world_with_unknown_ports if {
	some u in policy.undetermined with input as plan_sg([{"protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"}])
	contains(u.msg, "tcp ?-? from 0.0.0.0/0")
}

test_determined_known_rules if {
	count(policy.undetermined) == 0 with input as plan_sg([tcp("", 443, 443, "0.0.0.0/0"), tcp("", 22, 22, "10.0.0.0/8")])

	# An unknown peer on a port that is no admin port decides nothing.
	count(policy.undetermined) == 0 with input as plan_sg([{"protocol": "tcp", "from_port": 443, "to_port": 443}])
	count(policy.undetermined) == 0 with input as sg([tcp("sgr-1", 22, 22, "0.0.0.0/0")])
}
