# METADATA
# title: Security group allows administrative ports from the internet
# description: >-
#   An ingress rule admits traffic from every IPv4 or IPv6 address (a CIDR with
#   prefix length /0) to SSH (22) or RDP (3389), either through a TCP or UDP port
#   range that covers them or through an all-traffic rule (protocol -1).
# custom:
#   id: aws.ec2.sg_public_admin_ports
#   severity: HIGH
#   resource_types:
#     - aws_security_group
#   remediation: ec2_revoke_ingress
#   controls:
#     - CIS AWS 5.2
#     - CIS AWS 5.3
#     - AWS FSBP EC2.13
#     - AWS FSBP EC2.14
#     - AWS FSBP EC2.53
#     - AWS FSBP EC2.54
#   default_mode: enforce
package rectify.aws.ec2.sg_public_admin_ports

import data.rectify.aws.lib

# Input: one normalized security group (see internal/resource). Each ingress
# rule names one peer. A key that is absent is unknown (plan plane) and never
# leads to a deny.

admin_ports := {22, 3389}

# CIS counts TCP, UDP and all traffic; ICMP "ports" are type and code, and
# other IP protocols carry no ports, so neither can reach SSH or RDP.
ported_protocols := {"tcp", "udp"}

deny contains {"msg": msg, "params": params} if {
	count(offending) > 0
	rules := [rule | some rule in offending]
	params := {
		# Plan-plane rules have no ID yet; the remediation then matches by "rules".
		"rule_ids": sort([rule.rule_id | some rule in rules; is_string(rule.rule_id)]),
		"rules": rules,
	}
	msg := sprintf("security group %s allows %s from the internet", [
		resource_label,
		concat(", ", sort([describe(rule) | some rule in rules])),
	])
}

# lib.public_ingress compares the prefix length, not the text:
# "10.1.2.3/0" and "::0/0" match every address just like "0.0.0.0/0" and
# "::/0" do.
offending contains rule if {
	some rule in lib.public_ingress
	reaches_admin_port(rule)
}

reaches_admin_port(rule) if rule.protocol == "-1"

reaches_admin_port(rule) if {
	rule.protocol in ported_protocols
	some port in admin_ports
	rule.from_port <= port
	port <= rule.to_port
}

describe(rule) := sprintf("%s %d-%d from %s", [rule.protocol, rule.from_port, rule.to_port, peer(rule)]) if {
	is_number(rule.from_port)
	is_number(rule.to_port)
} else := sprintf("%s from %s", [rule.protocol, peer(rule)])

peer(rule) := rule.cidr_ipv4 if {
	is_string(rule.cidr_ipv4)
} else := rule.cidr_ipv6

resource_label := input.resource.id if {
	is_string(input.resource.id)
	input.resource.id != ""
} else := input.resource.address if {
	is_string(input.resource.address)
} else := "(unknown id)"

# undetermined: the verdict depends on what the plan does not know yet. A
# deny wins: a group already failing is reported failing.
undetermined contains {"msg": msg, "unknown": ["ingress"]} if {
	lib.absent(input.resource.properties, "ingress")
	msg := sprintf("security group %s: its ingress rules are unknown until apply", [resource_label])
}

undetermined contains {"msg": msg, "unknown": ["ingress"]} if {
	count(uncertain) > 0
	msg := sprintf("security group %s: %s may reach SSH or RDP from the internet; its peer or ports are unknown until apply", [
		resource_label,
		concat(", ", sort([describe_uncertain(rule) | some rule in uncertain])),
	])
}

# A rule open to the world whose ports are unknown, or whose peer is
# unknown while its ports reach an admin port or are unknown.
uncertain contains rule if {
	some rule in lib.public_ingress
	lib.ports_unknown(rule)
}

uncertain contains rule if {
	some rule in lib.unknown_peer_ingress
	may_reach_admin_port(rule)
}

may_reach_admin_port(rule) if reaches_admin_port(rule)

may_reach_admin_port(rule) if lib.ports_unknown(rule)

describe_uncertain(rule) := sprintf("ingress %s %v-%v from %s", [
	object.get(rule, "protocol", "(unknown protocol)"),
	object.get(rule, "from_port", "?"),
	object.get(rule, "to_port", "?"),
	object.get(rule, "cidr_ipv4", object.get(rule, "cidr_ipv6", "(unknown peer)")),
])
