# METADATA
# title: IAM principal has full administrator access
# description: >-
#   An IAM user, role or group has the AWS managed AdministratorAccess policy
#   attached, or an inline policy with a statement that allows every action
#   ("*") on every resource ("*"). Grant the permissions the principal needs
#   instead.
# custom:
#   id: aws.iam.admin_access
#   severity: HIGH
#   resource_types:
#     - aws_iam_user
#     - aws_iam_role
#     - aws_iam_group
#   remediation: iam_detach_policy
#   controls:
#     - CIS AWS 1.16
#     - AWS FSBP IAM.1
#   default_mode: approve
package rectify.aws.iam.admin_access

import data.rectify.aws.lib

# Input: one normalized IAM principal (internal/resource types.go). An inline
# policy whose document is unknown at plan time has no "document" and never
# matches.
#
# default_mode is approve: break-glass and pipeline roles hold administrator
# access on purpose; detaching it unasked can stop a deployment or an
# incident response.

# Any partition: aws, aws-us-gov, aws-cn.
admin_policy(arn) if regex.match(`^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$`, arn)

admin_arns contains arn if {
	some arn in input.resource.properties.attached_policy_arns
	admin_policy(arn)
}

admin_inline contains p.name if {
	some p in input.resource.properties.inline_policies
	some st in p.document.Statement
	st.Effect == "Allow"
	some action in st.Action
	action in {"*", "*:*"}
	"*" in st.Resource
}

deny contains {"msg": msg, "params": params} if {
	count(admin_arns) + count(admin_inline) > 0
	kind := trim_prefix(input.resource.type, "aws_iam_")
	params := {
		"principal_type": kind,
		"name": name,
		"policy_arns": sort(admin_arns),
		"inline_policy_names": sort(admin_inline),
	}
	msg := sprintf("IAM %s %s has full administrator access through %s", [kind, label, concat(", ", array.concat(
		sort(admin_arns),
		[sprintf("inline policy %s", [n]) | some n in sort(admin_inline)],
	))])
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: attached policies, inline policies, or an inline policy's
# document unknown until apply. A deny wins.
undetermined contains {"msg": msg, "unknown": unknown} if {
	unknown := lib.unknown_properties(["attached_policy_arns", "inline_policies"])
	count(unknown) > 0
	msg := sprintf("IAM principal %s: its %s are unknown until apply", [label, concat(" and ", unknown)])
}

undetermined contains {"msg": msg, "unknown": [sprintf("inline_policies[%s].document", [n]) | some n in unknown]} if {
	unknown := sort([p.name | some p in input.resource.properties.inline_policies; lib.absent(p, "document")])
	count(unknown) > 0
	msg := sprintf("IAM principal %s: inline policy %s is unknown until apply", [label, concat(", ", unknown)])
}
