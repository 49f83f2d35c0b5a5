# METADATA
# title: ECR repository does not scan images on push
# description: >-
#   The private repository takes new images without scanning them for
#   known vulnerabilities, so a vulnerable image is deployed before anyone
#   hears of it.
# custom:
#   id: aws.ecr.scan_on_push
#   severity: HIGH
#   resource_types:
#     - aws_ecr_repository
#   remediation: ecr_enable_scan_on_push
#   controls:
#     - AWS FSBP ECR.1
#   default_mode: enforce
package rectify.aws.ecr.scan_on_push

import data.rectify.aws.lib

# Input: one normalized ECR repository (internal/service/ecr
# repository.go); scan_on_push is absent when unknown.
#
# enforce: basic scanning on push changes nothing for whoever pushes or
# pulls; it only adds findings.

deny contains {"msg": msg, "params": {"repository_name": name}} if {
	input.resource.properties.scan_on_push == false
	msg := sprintf("ECR repository %s does not scan images on push", [label])
}

name := input.resource.properties.name if {
	is_string(input.resource.properties.name)
} else := null

label := name if {
	is_string(name)
} else := lib.label(input.resource)

undetermined contains {"msg": msg, "unknown": ["scan_on_push"]} if {
	lib.absent(input.resource.properties, "scan_on_push")
	msg := sprintf("ECR repository %s: whether it scans images on push is unknown until apply", [label])
}
