# METADATA
# title: RDS DB snapshot is public
# description: >-
#   The DB snapshot's restore attribute holds "all": every AWS account can
#   copy it and restore the database it holds, data and all.
# custom:
#   id: aws.rds.snapshot_public
#   severity: CRITICAL
#   resource_types:
#     - aws_db_snapshot
#   remediation: rds_make_snapshot_private
#   controls:
#     - AWS FSBP RDS.1
#   default_mode: enforce
package rectify.aws.rds.snapshot_public

import data.rectify.aws.lib

# Input: one normalized DB snapshot (internal/service/rds snapshot.go);
# shared_accounts is absent when unknown.
#
# enforce: taking "all" away stops strangers restoring the snapshot and
# leaves the accounts it is shared with by id alone; a snapshot nobody
# outside meant to publish is the usual case, and every minute public is a
# minute anyone can copy it.

deny contains {"msg": msg, "params": {"identifier": identifier}} if {
	"all" in input.resource.properties.shared_accounts
	msg := sprintf("RDS DB snapshot %s is public: every AWS account can restore it", [label])
}

identifier := input.resource.properties.identifier if {
	is_string(input.resource.properties.identifier)
} else := null

label := identifier if {
	is_string(identifier)
} else := lib.label(input.resource)

# undetermined: who may restore the snapshot is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["shared_accounts"]} if {
	lib.absent(input.resource.properties, "shared_accounts")
	msg := sprintf("RDS DB snapshot %s: who may restore it is unknown until apply", [label])
}
