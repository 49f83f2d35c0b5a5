# METADATA
# title: AWS Config is not recording in a region
# description: >-
#   The region has no AWS Config configuration recorder, or its recorder is
#   stopped, so no configuration history is kept: what a resource looked
#   like before a change, and when it changed, is lost. Live plane only:
#   Terraform splits a recorder and whether it runs over two resources
#   (aws_config_configuration_recorder and its _status), and a plan that
#   declares none says nothing about a recorder made elsewhere, so the
#   usual violation, a region with no recorder at all, is visible live
#   only (sweeps and CloudTrail events).
# custom:
#   id: aws.config.recording
#   severity: MEDIUM
#   resource_types:
#     - aws_config_configuration_recorder
#   remediation: config_start_recorder
#   controls:
#     - AWS FSBP Config.1
#     - CIS AWS 3.3
#   default_mode: enforce
#   planes:
#     - live
package rectify.aws.config.recording

# Input: the region's AWS Config setting (internal/service/configservice
# recorder.go): {"recording": bool, "recorder": "…"}; recording is false
# when the region has no recorder, and absent when unknown.
#
# enforce once the operator names the role and bucket a new recorder needs
# (remediation.config.role_arn, remediation.config.bucket); until then the
# action lacks them and the control only notifies.

# params name the region only: the action reads the region's recorder
# itself.
deny contains {"msg": msg, "params": {"region": region}} if {
	input.resource.properties.recording == false
	msg := sprintf("AWS Config is not recording in %s (%s)", [label, state])
}

region := input.resource.region if {
	is_string(input.resource.region)
	input.resource.region != ""
} else := null

label := region if {
	is_string(region)
} else := "this region"

state := sprintf("recorder %s is stopped", [input.resource.properties.recorder]) if {
	is_string(input.resource.properties.recorder)
} else := "no configuration recorder"

# undetermined: whether the recorder records is unknown.
undetermined contains {"msg": msg, "unknown": ["recording"]} if {
	not "recording" in object.keys(input.resource.properties)
	msg := sprintf("AWS Config in %s: whether its recorder records is unknown", [label])
}
