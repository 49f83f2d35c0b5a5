# METADATA
# title: CloudTrail trail is not logging
# description: >-
#   Logging is stopped on the trail, so API activity in the account goes
#   unrecorded. rectify itself learns of changes from CloudTrail events:
#   stopping the trail also blinds every reactive control.
# custom:
#   id: aws.cloudtrail.logging
#   severity: CRITICAL
#   resource_types:
#     - aws_cloudtrail
#   remediation: cloudtrail_start_logging
#   controls:
#     - CIS AWS 3.1
#     - AWS FSBP CloudTrail.1
#   default_mode: enforce
package rectify.aws.cloudtrail.logging

import data.rectify.aws.lib

# Input: one normalized trail (internal/resource types.go); logging is
# absent when unknown.
#
# enforce: StartLogging is safe to repeat and undoes nothing anyone needs,
# while every minute stopped is activity nobody will ever see.

deny contains {"msg": msg, "params": {"name": name}} if {
	input.resource.properties.logging == false
	msg := sprintf("CloudTrail trail %s is not logging, so API activity goes unrecorded and rectify cannot see changes", [label])
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: whether the trail logs is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["logging"]} if {
	lib.absent(input.resource.properties, "logging")
	msg := sprintf("CloudTrail trail %s: whether it is logging is unknown until apply", [label])
}
