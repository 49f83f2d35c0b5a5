# METADATA
# title: RDS DB instance is publicly accessible
# description: >-
#   The DB instance is publicly accessible: its endpoint resolves to a public
#   IP address, so only its security groups stand between the database and the
#   internet.
# custom:
#   id: aws.rds.public_instance
#   severity: CRITICAL
#   resource_types:
#     - aws_db_instance
#   remediation: rds_disable_public_access
#   controls:
#     - CIS AWS 2.3.3
#     - AWS FSBP RDS.2
#   default_mode: approve
package rectify.aws.rds.public_instance

import data.rectify.aws.lib

# Input: one normalized DB instance (internal/resource types.go);
# publicly_accessible is absent when unknown.
#
# default_mode is approve: clients that connect over the public endpoint
# lose the database when the flag flips.

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	input.resource.properties.publicly_accessible == true
	msg := sprintf("RDS DB instance %s is publicly accessible", [label])
}

identifier := input.resource.properties.identifier if {
	is_string(input.resource.properties.identifier)
} else := null

label := identifier if {
	is_string(identifier)
} else := lib.label(input.resource)

# undetermined: whether the instance is publicly accessible is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["publicly_accessible"]} if {
	lib.absent(input.resource.properties, "publicly_accessible")
	msg := sprintf("RDS DB instance %s: whether it is publicly accessible is unknown until apply", [label])
}
