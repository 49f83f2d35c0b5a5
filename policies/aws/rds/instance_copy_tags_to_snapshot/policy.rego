# METADATA
# title: RDS DB instance does not copy tags to snapshots
# description: >-
#   Snapshots of the DB instance are created without its tags, so access
#   rules, cost reports and retention jobs that select by tag miss the
#   backups that hold the instance's data.
# custom:
#   id: aws.rds.instance_copy_tags_to_snapshot
#   severity: LOW
#   resource_types:
#     - aws_db_instance
#   remediation: rds_enable_instance_copy_tags_to_snapshot
#   controls:
#     - AWS FSBP RDS.17
#   default_mode: enforce
package rectify.aws.rds.instance_copy_tags_to_snapshot

import data.rectify.aws.lib

# Input: one normalized DB instance (internal/service/rds instance.go);
# copy_tags_to_snapshot is absent when unknown.
#
# enforce: the flag only tags snapshots taken from then on; the database
# itself does not change.
#
# Members of a DB cluster (a cluster_identifier, or an Aurora engine) are
# left out: their snapshots are the cluster's, RDS ignores the flag on
# them, and RDS.16 judges the cluster. Neptune and DocumentDB share the RDS
# API and are judged by their own controls.

other_services := {"neptune", "docdb"}

standalone if {
	props := input.resource.properties
	not "cluster_identifier" in object.keys(props)
	engine := object.get(props, "engine", "")
	not engine in other_services
	not startswith(engine, "aurora")
}

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	input.resource.properties.copy_tags_to_snapshot == false
	standalone
	msg := sprintf("RDS DB instance %s does not copy its tags to snapshots", [label])
}

identifier := input.resource.properties.identifier if {
	is_string(input.resource.properties.identifier)
} else := null

label := identifier if {
	is_string(identifier)
} else := lib.label(input.resource)

# undetermined: whether a standalone instance copies tags is unknown until
# apply.
undetermined contains {"msg": msg, "unknown": ["copy_tags_to_snapshot"]} if {
	lib.absent(input.resource.properties, "copy_tags_to_snapshot")
	standalone
	msg := sprintf("RDS DB instance %s: whether it copies tags to snapshots is unknown until apply", [label])
}
