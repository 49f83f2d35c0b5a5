# METADATA
# title: RDS DB cluster has deletion protection off
# description: >-
#   Deletion protection is off on the DB cluster, so one DeleteDBCluster
#   call (a mistyped identifier, a Terraform destroy in the wrong workspace)
#   removes the cluster and every instance in it.
# custom:
#   id: aws.rds.cluster_deletion_protection
#   severity: LOW
#   resource_types:
#     - aws_rds_cluster
#   remediation: rds_enable_cluster_deletion_protection
#   controls:
#     - AWS FSBP RDS.7
#   default_mode: enforce
package rectify.aws.rds.cluster_deletion_protection

import data.rectify.aws.lib

# Input: one normalized DB cluster (internal/service/rds cluster.go);
# deletion_protection and engine are absent when unknown.
#
# enforce: turning protection on changes nothing while the cluster runs;
# only a later delete has to turn it off first.
#
# DescribeDBClusters also lists Neptune and DocumentDB clusters, which
# share the RDS API; they have controls of their own (Neptune.4,
# DocumentDB.5), so their engines are left out here. The engine must be
# known for a deny.

other_services := {"neptune", "docdb"}

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	input.resource.properties.deletion_protection == false
	rds_engine
	msg := sprintf("RDS DB cluster %s has deletion protection off", [label])
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

# undetermined: an RDS cluster (or one whose engine is unknown) whose
# protection is unknown, or whose engine alone is unknown while protection
# is off.
undetermined contains {"msg": msg, "unknown": unknown} if {
	props := input.resource.properties
	unknown := sort([k | some k in ["deletion_protection", "engine"]; lib.absent(props, k)])
	count(unknown) > 0
	object.get(props, "deletion_protection", false) == false
	not object.get(props, "engine", "") in other_services
	msg := sprintf("RDS DB cluster %s: %s unknown until apply, so whether it is protected from deletion cannot be told", [label, concat(", ", unknown)])
}
