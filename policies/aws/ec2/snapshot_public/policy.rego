# METADATA
# title: EBS snapshot is publicly restorable
# description: >-
#   The snapshot's createVolumePermission holds the group "all": every AWS
#   account can create a volume from it and read the disk it copied. Live
#   plane only: Terraform cannot make a snapshot public
#   (aws_snapshot_create_volume_permission names one account id, never the
#   group "all"), so a plan never shows this violation.
# custom:
#   id: aws.ec2.snapshot_public
#   severity: CRITICAL
#   resource_types:
#     - aws_ebs_snapshot
#   remediation: ec2_make_snapshot_private
#   controls:
#     - AWS FSBP EC2.1
#   default_mode: enforce
package rectify.aws.ec2.snapshot_public

import data.rectify.aws.lib

# Input: one normalized EBS snapshot (internal/service/ec2 snapshot.go);
# public is absent when unknown.
#
# enforce: taking "all" away stops strangers restoring the disk and leaves
# the accounts it is shared with by id alone; a volume already created
# from it elsewhere is out of reach whatever rectify does, so every minute
# public counts.

deny contains {"msg": msg, "params": {"snapshot_id": snapshot_id}} if {
	input.resource.properties.public == true
	msg := sprintf("EBS snapshot %s is public: every AWS account can create a volume from it", [label])
}

snapshot_id := input.resource.properties.snapshot_id if {
	is_string(input.resource.properties.snapshot_id)
} else := null

label := snapshot_id if {
	is_string(snapshot_id)
} else := lib.label(input.resource)

# undetermined: who may restore the snapshot was not read.
undetermined contains {"msg": msg, "unknown": ["public"]} if {
	lib.absent(input.resource.properties, "public")
	msg := sprintf("EBS snapshot %s: whether every AWS account may restore it is unknown", [label])
}
