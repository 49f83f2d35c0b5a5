# METADATA
# title: IAM user has an active access key older than 90 days
# description: >-
#   An IAM user has an access key that is active and was created more than
#   90 days ago. A long-lived key has had the longest time to leak (in a
#   laptop's config, a CI variable, a log); rotate it: create a new key,
#   move its users over, then delete the old one.
# custom:
#   id: aws.iam.access_key_rotation
#   severity: MEDIUM
#   resource_types:
#     - aws_iam_user
#   remediation: iam_deactivate_access_keys
#   controls:
#     - AWS FSBP IAM.3
#   default_mode: approve
package rectify.aws.iam.access_key_rotation

import data.rectify.aws.lib

# Input: one normalized IAM user (internal/service/iam kind.go):
# access_keys [{"id", "status", "create_date", "age_days"}], absent when
# unknown. age_days is measured when the keys were read, or when the plan
# was made: a policy may not read a clock. A key a plan creates has no
# create_date: it is new, so it passes.
#
# approve: whatever still signs with the key (a pipeline, a third party)
# stops working when it is turned off; its owner should rotate it first.

max_age_days := 90

old_keys contains k.id if {
	some k in input.resource.properties.access_keys
	k.status == "Active"
	is_string(k.id)
	k.age_days > max_age_days
}

deny contains {"msg": msg, "params": {"user": user, "access_key_ids": sort(old_keys)}} if {
	count(old_keys) > 0
	msg := sprintf("IAM user %s has active access key(s) older than %d days: %s", [label, max_age_days, concat(", ", sort(old_keys))])
}

user := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := user if {
	is_string(user)
} else := lib.label(input.resource)

# undetermined: an active key that exists (it has a create_date) in a plan
# that does not say when it was made (before Terraform 1.5).
undetermined contains {"msg": msg, "unknown": ["access_keys"]} if {
	count(old_keys) == 0
	some k in input.resource.properties.access_keys
	k.status == "Active"
	is_string(k.create_date)
	lib.absent(k, "age_days")
	msg := sprintf("IAM user %s: the age of its access keys is unknown (the plan has no timestamp)", [label])
}
