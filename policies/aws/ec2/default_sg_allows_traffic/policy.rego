# METADATA
# title: Default security group allows traffic
# description: >-
#   The default security group of a VPC has an inbound or outbound rule. Every
#   instance launched without an explicit group lands in it, so it should
#   allow nothing; give workloads groups of their own.
# custom:
#   id: aws.ec2.default_sg_allows_traffic
#   severity: MEDIUM
#   resource_types:
#     - aws_security_group
#   remediation: none
#   controls:
#     - CIS AWS 5.4
#     - AWS FSBP EC2.2
#   default_mode: notify
package rectify.aws.ec2.default_sg_allows_traffic

import data.rectify.aws.lib

# Input: one normalized security group (internal/resource types.go). An
# absent ingress or egress list is unknown and counts as no rule.
#
# No automatic remediation: a running workload that relies on the default
# group's self-referencing rule would lose its traffic. params carry the
# rule ids so that a person (or a future action) can revoke them.

deny contains {"msg": msg, "params": params} if {
	input.resource.properties.group_name == "default"
	ingress := known_rules("ingress")
	egress := known_rules("egress")
	count(ingress) + count(egress) > 0
	params := {
		"group_id": object.get(input.resource.properties, "group_id", null),
		"ingress_rule_ids": rule_ids(ingress),
		"egress_rule_ids": rule_ids(egress),
		"ingress_rules": count(ingress),
		"egress_rules": count(egress),
	}
	msg := sprintf("default security group %s allows traffic: %d inbound and %d outbound rule(s)", [
		lib.label(input.resource), count(ingress), count(egress),
	])
}

known_rules(dir) := rules if {
	rules := input.resource.properties[dir]
	is_array(rules)
} else := []

rule_ids(rules) := sort([r.rule_id | some r in rules; is_string(r.rule_id)])

# undetermined: a default group whose rules are unknown until apply may
# allow traffic. A deny wins.
undetermined contains {"msg": msg, "unknown": unknown} if {
	input.resource.properties.group_name == "default"
	unknown := lib.unknown_properties(["ingress", "egress"])
	count(unknown) > 0
	msg := sprintf("default security group %s: its %s rules are unknown until apply", [lib.label(input.resource), concat(" and ", unknown)])
}
