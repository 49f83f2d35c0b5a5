# METADATA
# title: Security group exposes database or cache ports to the internet
# description: >-
#   An ingress rule admits traffic from every IPv4 or IPv6 address (a CIDR with
#   prefix length /0) to a port where a database, search engine or cache
#   listens: MySQL 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521, Redis
#   6379, Elasticsearch/OpenSearch 9200, MongoDB 27017 or Memcached 11211,
#   through a TCP or UDP range that covers it or an all-traffic rule.
# custom:
#   id: aws.ec2.sg_public_data_ports
#   severity: CRITICAL
#   resource_types:
#     - aws_security_group
#   remediation: ec2_revoke_ingress
#   controls:
#     - AWS FSBP EC2.19
#   default_mode: approve
package rectify.aws.ec2.sg_public_data_ports

import data.rectify.aws.lib

# Input: one normalized security group (internal/resource types.go). A rule
# with an absent protocol, port or peer is unknown and never matches.
#
# default_mode is approve, not enforce as for admin ports: an application
# may still depend on the opening, and a person should see that first.

data_ports := {
	1433: "SQL Server",
	1521: "Oracle",
	3306: "MySQL",
	5432: "PostgreSQL",
	6379: "Redis",
	9200: "Elasticsearch",
	11211: "Memcached",
	27017: "MongoDB",
}

# exposures pairs each offending rule with the data ports it reaches,
# computed once for deny, params and message.
exposures := [{"rule": rule, "ports": ports} |
	some rule in lib.public_ingress
	ports := reached(rule)
	count(ports) > 0
]

# The keys of data_ports, written out so the set is a constant.
port_numbers := {1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017}

reached(rule) := port_numbers if rule.protocol == "-1"

# Most rules open one port: a set lookup instead of eight comparisons,
# which is where evaluation time went.
reached(rule) := {rule.from_port} & port_numbers if {
	rule.protocol in {"tcp", "udp"}
	rule.from_port == rule.to_port
}

# An absent (unknown) port makes the rule reach nothing.
reached(rule) := {port |
	some port in port_numbers
	rule.from_port <= port
	port <= rule.to_port
} if {
	rule.protocol in {"tcp", "udp"}
	rule.from_port < rule.to_port
	rule.from_port <= 27017
	rule.to_port >= 1433
}

deny contains {"msg": msg, "params": params} if {
	count(exposures) > 0
	rules := [e.rule | some e in exposures]
	ports := sort({port | some e in exposures; some port in e.ports})
	params := {
		# Plan-plane rules have no ID yet; the remediation then matches by "rules".
		"rule_ids": sort([rule.rule_id | some rule in rules; is_string(rule.rule_id)]),
		"rules": rules,
		"ports": ports,
	}
	msg := sprintf("security group %s exposes %s to the internet", [
		lib.label(input.resource),
		concat(", ", [sprintf("%s (%d)", [data_ports[p], p]) | some p in ports]),
	])
}

# undetermined: the verdict depends on what the plan does not know yet. A
# deny wins: a group already failing is reported failing.
undetermined contains {"msg": msg, "unknown": ["ingress"]} if {
	lib.absent(input.resource.properties, "ingress")
	msg := sprintf("security group %s: its ingress rules are unknown until apply", [lib.label(input.resource)])
}

undetermined contains {"msg": msg, "unknown": ["ingress"]} if {
	count(uncertain) > 0
	msg := sprintf("security group %s: %d ingress rule(s) may expose a database port to the internet; their peer or ports are unknown until apply", [
		lib.label(input.resource), count(uncertain),
	])
}

uncertain contains rule if {
	some rule in lib.public_ingress
	lib.ports_unknown(rule)
}

uncertain contains rule if {
	some rule in lib.unknown_peer_ingress
	may_reach(rule)
}

may_reach(rule) if count(reached(rule)) > 0

may_reach(rule) if lib.ports_unknown(rule)
