# METADATA
# title: RDS DB cluster does not copy tags to snapshots
# description: >-
#   Snapshots of the DB cluster are created without its tags, so access
#   rules, cost reports and retention jobs that select by tag miss the
#   backups that hold the cluster's data.
# custom:
#   id: aws.rds.cluster_copy_tags_to_snapshot
#   severity: LOW
#   resource_types:
#     - aws_rds_cluster
#   remediation: rds_enable_cluster_copy_tags_to_snapshot
#   controls:
#     - AWS FSBP RDS.16
#   default_mode: enforce
package rectify.aws.rds.cluster_copy_tags_to_snapshot

import data.rectify.aws.lib

# Input: one normalized DB cluster (internal/service/rds cluster.go);
# copy_tags_to_snapshot and engine are absent when unknown.
#
# enforce: the flag only tags cluster snapshots taken from then on; the
# cluster itself does not change or restart.
#
# DescribeDBClusters also lists Neptune and DocumentDB clusters, which
# share the RDS API; they have copy-tags controls of their own, so their
# engines are left out here. The engine must be
# known for a deny.

other_services := {"neptune", "docdb"}

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	input.resource.properties.copy_tags_to_snapshot == false
	rds_engine
	msg := sprintf("RDS DB cluster %s does not copy its tags to snapshots", [label])
}

rds_engine if {
	is_string(input.resource.properties.engine)
	not input.resource.properties.engine in other_services
}

identifier := input.resource.properties.identifier if {
	is_string(input.resource.properties.identifier)
} else := null

label := identifier if {
	is_string(identifier)
} else := lib.label(input.resource)

# undetermined: an RDS cluster (or one whose engine is unknown) whose flag
# is unknown, or whose engine alone is unknown while the flag is off.
undetermined contains {"msg": msg, "unknown": unknown} if {
	props := input.resource.properties
	unknown := sort([k | some k in ["copy_tags_to_snapshot", "engine"]; lib.absent(props, k)])
	count(unknown) > 0
	object.get(props, "copy_tags_to_snapshot", false) == false
	not object.get(props, "engine", "") in other_services
	msg := sprintf("RDS DB cluster %s: %s unknown until apply, so whether it copies tags to snapshots cannot be told", [label, concat(", ", unknown)])
}
