# METADATA
# title: RDS DB instance has deletion protection off
# description: >-
#   Deletion protection is off on the DB instance, so one DeleteDBInstance
#   call removes the database.
# custom:
#   id: aws.rds.instance_deletion_protection
#   severity: LOW
#   resource_types:
#     - aws_db_instance
#   remediation: rds_enable_instance_deletion_protection
#   controls:
#     - AWS FSBP RDS.8
#   default_mode: enforce
package rectify.aws.rds.instance_deletion_protection

import data.rectify.aws.lib

# Input: one normalized DB instance (internal/service/rds instance.go).
#
# enforce: turning protection on changes nothing while the instance runs;
# only a later delete has to turn it off first.
#
# A member of a DB cluster (Aurora, Multi-AZ DB cluster) is protected by
# its cluster (aws.rds.cluster_deletion_protection, RDS.7): RDS refuses the
# flag on the instance. So are the engines whose instances always belong to
# a cluster (aurora*), and Neptune and DocumentDB, which share the RDS API
# and have controls of their own. The engine must be known for a deny.

cluster_engine(engine) if startswith(engine, "aurora")

cluster_engine(engine) if engine in {"neptune", "docdb"}

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	props := input.resource.properties
	props.deletion_protection == false
	is_string(props.engine)
	not cluster_engine(props.engine)
	lib.absent(props, "cluster_identifier")
	msg := sprintf("RDS DB instance %s has deletion protection off", [label])
}

identifier := input.resource.properties.identifier if {
	is_string(input.resource.properties.identifier)
} else := null

label := identifier if {
	is_string(identifier)
} else := lib.label(input.resource)

# undetermined: a standalone instance whose protection or engine is
# unknown, with neither known value ruling the deny out.
undetermined contains {"msg": msg, "unknown": unknown} if {
	props := input.resource.properties
	lib.absent(props, "cluster_identifier")
	unknown := sort([k | some k in ["deletion_protection", "engine"]; lib.absent(props, k)])
	count(unknown) > 0
	object.get(props, "deletion_protection", false) == false
	not cluster_engine(object.get(props, "engine", ""))
	msg := sprintf("RDS DB instance %s: %s unknown until apply, so whether it is protected from deletion cannot be told", [label, concat(", ", unknown)])
}
