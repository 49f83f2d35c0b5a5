# METADATA
# title: CloudTrail log file validation is off
# description: >-
#   The trail delivers no digest files, so a log file changed or deleted
#   after delivery cannot be told from a genuine one.
# custom:
#   id: aws.cloudtrail.log_file_validation
#   severity: LOW
#   resource_types:
#     - aws_cloudtrail
#   remediation: cloudtrail_enable_log_file_validation
#   controls:
#     - CIS AWS 3.2
#     - AWS FSBP CloudTrail.4
#   default_mode: enforce
package rectify.aws.cloudtrail.log_file_validation

import data.rectify.aws.lib

# Input: one normalized trail (internal/service/cloudtrail trail.go);
# log_file_validation_enabled is absent when unknown.
#
# enforce: digests only add files beside the logs; nothing that reads the
# logs changes.

deny contains {"msg": msg, "params": {"name": name}} if {
	input.resource.properties.log_file_validation_enabled == false
	msg := sprintf("CloudTrail trail %s does not validate its log files", [label])
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

# undetermined: whether the trail validates its logs is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["log_file_validation_enabled"]} if {
	lib.absent(input.resource.properties, "log_file_validation_enabled")
	msg := sprintf("CloudTrail trail %s: whether it validates its log files is unknown until apply", [label])
}
