package rectify.aws.ec2.sg_public_data_ports_test

import data.rectify.aws.ec2.sg_public_data_ports as policy

sg(ingress) := {"resource": {
	"type": "aws_security_group",
	"address": null,
	"id": "sg-0abc",
	"plane": "live",
	"properties": {"group_id": "sg-0abc", "group_name": "db", "ingress": ingress, "egress": []},
}}

plan_sg(ingress) := {"resource": {
	"type": "aws_security_group",
	"address": "aws_security_group.db",
	"id": "",
	"plane": "plan",
	"properties": {"group_name": "db", "ingress": ingress, "egress": []},
}}

tcp(id, from, to, cidr) := {"rule_id": id, "protocol": "tcp", "from_port": from, "to_port": to, "cidr_ipv4": cidr}

only(denies) := v if {
	count(denies) == 1
	some v in denies
}

test_port_numbers_match_names if {
	policy.port_numbers == object.keys(policy.data_ports)
	min(policy.port_numbers) == 1433
	max(policy.port_numbers) == 27017
}

test_each_data_port_from_world_denied if {
	every port in [3306, 5432, 1433, 1521, 6379, 9200, 27017, 11211] {
		v := only(policy.deny) with input as sg([tcp("sgr-1", port, port, "0.0.0.0/0")])
		v.params.rule_ids == ["sgr-1"]
		v.params.ports == [port]
	}
}

test_ipv6_world_denied if {
	rule := {"rule_id": "sgr-6", "protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_ipv6": "::/0"}
	v := only(policy.deny) with input as sg([rule])
	v.params == {"rule_ids": ["sgr-6"], "rules": [rule], "ports": [5432]}
	contains(v.msg, "PostgreSQL (5432)")
	contains(v.msg, "sg-0abc")
}

test_udp_memcached_denied if {
	rule := {"rule_id": "sgr-u", "protocol": "udp", "from_port": 11211, "to_port": 11211, "cidr_ipv4": "0.0.0.0/0"}
	only(policy.deny).params.ports == [11211] with input as sg([rule])
}

test_range_and_all_traffic_list_every_port if {
	all := {"rule_id": "sgr-all", "protocol": "-1", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}
	v := only(policy.deny) with input as sg([all])
	v.params.ports == [1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017]

	r := only(policy.deny) with input as sg([tcp("sgr-r", 3000, 6000, "0.0.0.0/0")])
	r.params.ports == [3306, 5432]
}

test_non_data_ports_allowed if {
	every range in [[443, 443], [80, 80], [22, 22], [5433, 6378], [27018, 65535]] {
		count(policy.deny) == 0 with input as sg([tcp("sgr-r", range[0], range[1], "0.0.0.0/0")])
	}
}

test_private_and_group_peers_allowed if {
	rules := [
		tcp("sgr-p", 5432, 5432, "10.0.0.0/8"),
		{"rule_id": "sgr-g", "protocol": "tcp", "from_port": 5432, "to_port": 5432, "referenced_group_id": "sg-app"},
		{"rule_id": "sgr-pl", "protocol": "tcp", "from_port": 3306, "to_port": 3306, "prefix_list_id": "pl-1"},
	]
	count(policy.deny) == 0 with input as sg(rules)
}

test_icmp_allowed if {
	rule := {"rule_id": "sgr-i", "protocol": "icmp", "from_port": -1, "to_port": -1, "cidr_ipv4": "0.0.0.0/0"}
	count(policy.deny) == 0 with input as sg([rule])
}

test_egress_ignored if {
	doc := json.patch(sg([]), [{"op": "replace", "path": "/resource/properties/egress", "value": [tcp("sgr-e", 5432, 5432, "0.0.0.0/0")]}])
	count(policy.deny) == 0 with input as doc
}

test_unknowns_allowed if {
	every rule in [
		{"protocol": "tcp", "from_port": 5432, "to_port": 5432},
		{"protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"},
		{"protocol": "tcp", "from_port": 5432, "cidr_ipv4": "0.0.0.0/0"},
		{"from_port": 5432, "to_port": 5432, "cidr_ipv4": "0.0.0.0/0"},
	] {
		count(policy.deny) == 0 with input as plan_sg([rule])
	}
	count(policy.deny) == 0 with input as {"resource": {"type": "aws_security_group", "properties": {}}}
}

test_plan_rule_without_id_denied if {
	rule := {"protocol": "tcp", "from_port": 6379, "to_port": 6379, "cidr_ipv4": "0.0.0.0/0"}
	v := only(policy.deny) with input as plan_sg([rule])
	v.params == {"rule_ids": [], "rules": [rule], "ports": [6379]}
	contains(v.msg, "aws_security_group.db")
}

test_undetermined_unknown_peer_on_database_port if {
	doc := plan_sg([{"protocol": "tcp", "from_port": 5432, "to_port": 5432}])
	some u in policy.undetermined with input as doc
	u.unknown == ["ingress"]
	count(policy.deny) == 0 with input as doc
}

test_undetermined_unknown_ingress if {
	doc := {"resource": object.union(object.remove(plan_sg([]).resource, ["properties"]), {"properties": {"group_name": "db"}})}
	count(policy.undetermined) == 1 with input as doc
}

test_determined_known_rules if {
	count(policy.undetermined) == 0 with input as plan_sg([tcp("", 443, 443, "0.0.0.0/0"), {"protocol": "tcp", "from_port": 22, "to_port": 22}])
}
