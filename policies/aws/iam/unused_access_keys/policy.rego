# METADATA
# title: IAM user has an active access key unused for more than 45 days
# description: >-
#   An IAM user has an active access key that has not been used for more
#   than 45 days, or was never used and was created more than 45 days ago.
#   A key nobody uses is a key nobody would miss, and one nobody would
#   notice being used by someone else; turn it off. 45 days is IAM.22's
#   limit, and meeting it meets IAM.8's 90. Live plane only: Terraform
#   never knows when a key was last used, so a plan never shows this
#   violation.
# custom:
#   id: aws.iam.unused_access_keys
#   severity: MEDIUM
#   resource_types:
#     - aws_iam_user
#   remediation: iam_deactivate_access_keys
#   controls:
#     - AWS FSBP IAM.8
#     - AWS FSBP IAM.22
#     - CIS AWS 1.12
#   default_mode: approve
#   planes:
#     - live
package rectify.aws.iam.unused_access_keys

import data.rectify.aws.lib

# Input: one normalized IAM user (internal/service/iam kind.go):
# access_keys [{"id", "status", "age_days", "used", "last_used_days"}].
# "used" is present only when the last use was read (live); last_used_days
# is absent for a key never used. Ages are whole days at the read: a
# policy may not read a clock.
#
# approve: whatever still signs with the key once in a while (a quarterly
# job, a break-glass script) stops working when it is turned off; undo
# turns it back on.

max_unused_days := 45

# A key is unused when neither its creation nor its last use falls within
# the limit: a key made last week and never used yet is new, not unused.
unused_keys contains k.id if {
	some k in input.resource.properties.access_keys
	k.status == "Active"
	is_string(k.id)
	k.age_days > max_unused_days
	not_used_within(k)
}

not_used_within(k) if k.used == false

not_used_within(k) if {
	k.used == true
	k.last_used_days > max_unused_days
}

deny contains {"msg": msg, "params": {"user": user, "access_key_ids": sort(unused_keys)}} if {
	count(unused_keys) > 0
	msg := sprintf("IAM user %s has active access key(s) unused for more than %d days: %s", [label, max_unused_days, concat(", ", sort(unused_keys))])
}

user := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := user if {
	is_string(user)
} else := lib.label(input.resource)
