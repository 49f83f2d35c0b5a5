# METADATA
# title: RDS automatic minor version upgrades are off
# description: >-
#   The DB instance does not take minor engine versions in its maintenance
#   window, so it misses the security fixes they carry until someone
#   upgrades it by hand.
# custom:
#   id: aws.rds.auto_minor_version_upgrade
#   severity: HIGH
#   resource_types:
#     - aws_db_instance
#   remediation: rds_enable_auto_minor_version_upgrade
#   controls:
#     - CIS AWS 2.3.2
#     - AWS FSBP RDS.13
#   default_mode: enforce
package rectify.aws.rds.auto_minor_version_upgrade

import data.rectify.aws.lib

# Input: one normalized DB instance (internal/service/rds instance.go);
# auto_minor_version_upgrade is absent when unknown.
#
# enforce: the flag only lets RDS upgrade in the maintenance window the
# owner chose; changing it causes no outage. Neptune and DocumentDB share
# the RDS API and are judged by their own controls.

other_services := {"neptune", "docdb"}

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	input.resource.properties.auto_minor_version_upgrade == false
	not object.get(input.resource.properties, "engine", "") in other_services
	msg := sprintf("RDS DB instance %s does not upgrade minor engine versions automatically", [label])
}

identifier := input.resource.properties.identifier if {
	is_string(input.resource.properties.identifier)
} else := null

label := identifier if {
	is_string(identifier)
} else := lib.label(input.resource)

# undetermined: whether the instance upgrades is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["auto_minor_version_upgrade"]} if {
	lib.absent(input.resource.properties, "auto_minor_version_upgrade")
	not object.get(input.resource.properties, "engine", "") in other_services
	msg := sprintf("RDS DB instance %s: whether it upgrades minor engine versions is unknown until apply", [label])
}
