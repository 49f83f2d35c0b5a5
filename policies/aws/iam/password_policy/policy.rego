# METADATA
# title: IAM account password policy is weaker than CIS requires
# description: >-
#   The account has no IAM password policy, or one that does not require
#   upper and lower case letters, a number and a symbol, allows passwords
#   shorter than 14 characters, lets users reuse any of their last 24
#   passwords, or lets a password live longer than 90 days. Console
#   passwords of IAM users are then easier to guess and live longer once
#   leaked.
# custom:
#   id: aws.iam.password_policy
#   severity: MEDIUM
#   resource_types:
#     - aws_iam_account_password_policy
#   remediation: iam_strengthen_password_policy
#   controls:
#     - CIS AWS 1.8
#     - CIS AWS 1.9
#     - AWS FSBP IAM.7
#     - AWS FSBP IAM.11
#     - AWS FSBP IAM.12
#     - AWS FSBP IAM.13
#     - AWS FSBP IAM.14
#     - AWS FSBP IAM.15
#     - AWS FSBP IAM.16
#     - AWS FSBP IAM.17
#   default_mode: enforce
package rectify.aws.iam.password_policy

import data.rectify.aws.lib

# Input: the account's one password policy (internal/service/iam
# password_policy.go): {"exists": false} when there is none; a number
# absent when unknown at plan time; 0 for an age or reuse limit means none.
#
# One control for the eight FSBP checks: UpdateAccountPasswordPolicy
# replaces the whole policy, so fixing them one by one, in separate
# workflows, would have each fix undo the others.
#
# enforce: a stricter policy applies to the next password a user sets; no
# session, key or running workload is affected.

# The requirements, also sent to the action as its floor (params).
min_length := 14

reuse_prevention := 24

max_age := 90

props := input.resource.properties

deny contains {"msg": msg, "params": params} if {
	props.exists == false
	msg := "the account has no IAM password policy: IAM users may set short passwords that never expire (FSBP IAM.7, IAM.11-17)"
}

deny contains {"msg": msg, "params": params} if {
	props.exists == true
	count(weaknesses) > 0
	msg := sprintf("the IAM password policy %s", [concat("; ", sort(weaknesses))])
}

params := {
	"minimum_password_length": min_length,
	"password_reuse_prevention": reuse_prevention,
	"max_password_age": max_age,
	"require_uppercase_characters": true,
	"require_lowercase_characters": true,
	"require_symbols": true,
	"require_numbers": true,
}

classes := {
	"require_uppercase_characters": "does not require an uppercase letter (IAM.11)",
	"require_lowercase_characters": "does not require a lowercase letter (IAM.12)",
	"require_symbols": "does not require a symbol (IAM.13)",
	"require_numbers": "does not require a number (IAM.14)",
}

weaknesses contains why if {
	some attr, why in classes
	props[attr] == false
}

weaknesses contains sprintf("allows passwords of %d characters, fewer than %d (IAM.15)", [n, min_length]) if {
	n := props.minimum_password_length
	is_number(n)
	n < min_length
}

weaknesses contains sprintf("remembers %d previous passwords, fewer than %d (IAM.16)", [n, reuse_prevention]) if {
	n := props.password_reuse_prevention
	is_number(n)
	n < reuse_prevention
}

weaknesses contains "lets passwords live forever (IAM.17)" if props.max_password_age == 0

weaknesses contains sprintf("lets passwords live %d days, more than %d (IAM.17)", [n, max_age]) if {
	n := props.max_password_age
	is_number(n)
	n > max_age
}

# undetermined: a setting the plan leaves to Terraform or the provider to
# compute (age, reuse) is unknown until apply, when nothing known fails.
judged := object.keys(classes) | {"minimum_password_length", "password_reuse_prevention", "max_password_age"}

undetermined contains {"msg": msg, "unknown": unknown} if {
	props.exists == true
	count(weaknesses) == 0
	unknown := sort(lib.unknown_properties(judged))
	count(unknown) > 0
	msg := sprintf("IAM password policy %s: %s unknown until apply", [lib.label(input.resource), concat(", ", unknown)])
}
