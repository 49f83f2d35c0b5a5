# METADATA
# title: IAM user has a console password unused for more than 45 days
# description: >-
#   An IAM user has a console password (login profile) that has not been
#   used to sign in for more than 45 days, or was never used and was set
#   more than 45 days ago. A password nobody signs in with is one nobody
#   would notice being guessed or phished; delete it. 45 days is IAM.22's
#   limit, and meeting it meets IAM.8's 90. The fix cannot be undone: IAM
#   never reveals a password, so an administrator must set a new one. Live
#   plane only: Terraform never knows when a password was last used, so a
#   plan never shows this violation.
# custom:
#   id: aws.iam.unused_password
#   severity: MEDIUM
#   resource_types:
#     - aws_iam_user
#   remediation: iam_delete_login_profile
#   controls:
#     - AWS FSBP IAM.8
#     - AWS FSBP IAM.22
#     - CIS AWS 1.12
#   default_mode: approve
#   planes:
#     - live
package rectify.aws.iam.unused_password

import data.rectify.aws.lib

# Input: one normalized IAM user (internal/service/iam kind.go):
# login_profile {"create_date", "age_days"}, null without a password and
# absent when not read (always, in a plan); password_last_used_days,
# absent when the user never signed in with a password. Ages are whole
# days at the read: a policy may not read a clock.
#
# approve: deleting a password cannot be undone, and a person who signs in
# a few times a year loses the console until an administrator sets a new
# one; someone should say yes.

max_unused_days := 45

profile := input.resource.properties.login_profile

# The password is unused when neither its creation nor the last sign-in
# falls within the limit: PasswordLastUsed may be the sign-in of an older
# password, and a password set last week is new, not unused.
deny contains {"msg": msg, "params": {"user": user}} if {
	is_object(profile)
	profile.age_days > max_unused_days
	not signed_in_within
	msg := sprintf("IAM user %s has a console password unused for more than %d days (%s)", [label, max_unused_days, last_use])
}

signed_in_within if input.resource.properties.password_last_used_days <= max_unused_days

last_use := sprintf("last used %d days ago", [input.resource.properties.password_last_used_days]) if {
	is_number(input.resource.properties.password_last_used_days)
} else := sprintf("never used, set %d days ago", [profile.age_days])

user := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := user if {
	is_string(user)
} else := lib.label(input.resource)
