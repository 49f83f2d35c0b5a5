# METADATA
# title: Lambda function policy allows anyone to invoke it
# description: >-
#   A statement of the function's resource-based policy allows a public
#   principal ("*" or {"AWS": "*"}) without a condition that pins the
#   caller to fixed values of a source or principal key (AWS:SourceAccount,
#   AWS:SourceArn, AWS:SourceOwner, aws:PrincipalOrgID,
#   aws:PrincipalAccount, aws:PrincipalArn), so anyone can invoke the
#   function, or invoke it on behalf of any AWS service event. A
#   lambda:FunctionUrlAuthType condition does not restrict the caller: a
#   public function URL is public.
# custom:
#   id: aws.lambda.function_public_access
#   severity: CRITICAL
#   resource_types:
#     - aws_lambda_function
#   remediation: lambda_remove_public_permissions
#   controls:
#     - AWS FSBP Lambda.1
#   default_mode: approve
package rectify.aws.lambda.function_public_access

import data.rectify.aws.lib

# Input: one normalized Lambda function (internal/service/lambda
# function.go); policy is null (none), a normalized document, or absent
# (unknown at plan time).
#
# default_mode is approve: a public statement is sometimes intended (a
# public function URL, a webhook), and removing it breaks its callers.

deny contains {"msg": msg, "params": params} if {
	count(public) > 0
	params := {
		"function_name": name,
		# Lambda statements always carry their StatementId as Sid, which
		# RemovePermission takes.
		"statement_ids": sort([sid | some sid in public]),
	}
	msg := sprintf("Lambda function %s policy allows anyone to invoke it (statement %s)", [
		label,
		concat(", ", params.statement_ids),
	])
}

statements := input.resource.properties.policy.Statement

public contains st.Sid if {
	some st in statements
	is_string(st.Sid)
	lib.grants_everyone(st)
	not restricted(st)
}

# Condition operators that pin a key to the listed values. A negated
# operator, or ...IfExists (which passes when the key is absent), does not.
pinning_operators := {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}

pinning_keys := {
	"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner",
	"aws:principalorgid", "aws:principalaccount", "aws:principalarn",
}

restricted(st) if {
	some op, keys in st.Condition
	base_operator(op) in pinning_operators
	some key, values in keys
	lower(key) in pinning_keys
	count(values) > 0
	every v in values {
		fixed(v)
	}
}

base_operator(op) := trim_prefix(trim_prefix(op, "ForAnyValue:"), "ForAllValues:")

# fixed: no wildcard and no policy variable.
fixed(v) if {
	not contains(v, "*")
	not contains(v, "?")
	not contains(v, "${")
}

name := input.resource.properties.function_name if {
	is_string(input.resource.properties.function_name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: a permission's principal is unknown until apply. A deny
# wins.
undetermined contains {"msg": msg, "unknown": ["policy"]} if {
	lib.absent(input.resource.properties, "policy")
	msg := sprintf("Lambda function %s: its resource-based policy is unknown until apply, so whether anyone can invoke it cannot be told", [label])
}
