# METADATA
# title: GuardDuty is not enabled in a region
# description: >-
#   The region has no GuardDuty detector, or its detector is disabled, so
#   nothing watches its CloudTrail, VPC flow and DNS logs for compromised
#   credentials, crypto-mining or reconnaissance. A Terraform plan judges
#   only the detectors it declares: a region whose plan declares none may
#   have one made elsewhere, so a missing detector is found on the live
#   plane only (sweeps and CloudTrail events).
# custom:
#   id: aws.guardduty.enabled
#   severity: HIGH
#   resource_types:
#     - aws_guardduty_detector
#   remediation: guardduty_enable_detector
#   controls:
#     - AWS FSBP GuardDuty.1
#   default_mode: approve
package rectify.aws.guardduty.enabled

# Input: the region's GuardDuty setting (internal/service/guardduty
# detector.go): {"enabled": bool, "detector_id": "…"}; enabled is false
# when the region has no detector, and absent when unknown.
#
# approve: GuardDuty bills by the volume of events and logs it analyses,
# so turning it on in a region is a spending decision a human signs off.

# params name the region only: the action reads the region's detector
# itself, and a plan cannot know a detector id.
deny contains {"msg": msg, "params": {"region": region}} if {
	input.resource.properties.enabled == false
	msg := sprintf("GuardDuty is not enabled in %s (%s)", [label, state])
}

region := input.resource.region if {
	is_string(input.resource.region)
	input.resource.region != ""
} else := null

label := region if {
	is_string(region)
} else := input.resource.address if {
	is_string(input.resource.address)
} else := "this region"

state := sprintf("detector %s is disabled", [input.resource.properties.detector_id]) if {
	is_string(input.resource.properties.detector_id)
} else := "no detector"

# undetermined: whether the detector is enabled is unknown until apply.
undetermined contains {"msg": msg, "unknown": ["enabled"]} if {
	not "enabled" in object.keys(input.resource.properties)
	msg := sprintf("GuardDuty in %s: whether its detector is enabled is unknown until apply", [label])
}
