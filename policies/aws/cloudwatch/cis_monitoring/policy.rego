# METADATA
# title: CIS monitoring metric filters and alarms are missing in a region
# description: >-
#   CIS AWS Foundations "Monitoring" asks for a metric filter on the
#   CloudWatch Logs log group of the multi-region CloudTrail trail, and an
#   alarm on its metric that notifies an SNS topic with at least one
#   subscriber, for each of 14 kinds of event: root use, unauthorized API
#   calls, console sign-in without MFA, IAM policy changes, CloudTrail
#   changes, failed console sign-ins, CMKs disabled or scheduled for
#   deletion, S3 bucket policy changes, AWS Config changes, security group,
#   NACL, network gateway, route table and VPC changes (FSBP CloudWatch.1 to
#   CloudWatch.14; CIS v1.4.0 4.1 to 4.14, which v1.2.0 numbers 1.1 and
#   3.1 to 3.14). Without them nobody hears of these events until someone
#   reads the trail. One deny per missing check, each naming its
#   CloudWatch id. Live plane only: a Terraform plan cannot show the
#   absence of a filter or alarm made outside it, nor whether a topic has
#   subscribers.
# custom:
#   id: aws.cloudwatch.cis_monitoring
#   severity: LOW
#   resource_types:
#     - aws_cloudwatch_log_metric_filter
#   remediation: cloudwatch_create_cis_alarms
#   controls:
#     - AWS FSBP CloudWatch.1
#     - AWS FSBP CloudWatch.2
#     - AWS FSBP CloudWatch.3
#     - AWS FSBP CloudWatch.4
#     - AWS FSBP CloudWatch.5
#     - AWS FSBP CloudWatch.6
#     - AWS FSBP CloudWatch.7
#     - AWS FSBP CloudWatch.8
#     - AWS FSBP CloudWatch.9
#     - AWS FSBP CloudWatch.10
#     - AWS FSBP CloudWatch.11
#     - AWS FSBP CloudWatch.12
#     - AWS FSBP CloudWatch.13
#     - AWS FSBP CloudWatch.14
#     - CIS AWS 4.1
#     - CIS AWS 4.2
#     - CIS AWS 4.3
#     - CIS AWS 4.4
#     - CIS AWS 4.5
#     - CIS AWS 4.6
#     - CIS AWS 4.7
#     - CIS AWS 4.8
#     - CIS AWS 4.9
#     - CIS AWS 4.10
#     - CIS AWS 4.11
#     - CIS AWS 4.12
#     - CIS AWS 4.13
#     - CIS AWS 4.14
#   default_mode: enforce
#   planes:
#     - live
package rectify.aws.cloudwatch.cis_monitoring

# Input: the region's CIS monitoring setting (internal/service/cloudwatch
# monitoring.go):
#   {"trails": [{"name", "log_group", "log_group_region"}],  // multi-region, logging, to CloudWatch Logs
#    "log_group": "…",                                        // the one the action writes to; absent without a trail
#    "filters": [{"name", "log_group", "pattern",
#                 "alarms": [{"name", "notifies": bool}]}]}   // notifies absent when unknown
#
# enforce once the operator names the SNS topic the alarms notify
# (remediation.cloudwatch.alarm_topic_arn); until then the action lacks it
# and the control only notifies. A filter and an alarm cost cents a month
# and change nothing that runs.
#
# One workflow handles every deny of the policy on the region, and it acts
# on the params of one of them: so every deny carries the same params, the
# whole list of missing checks, and one fix creates them all.

# The checks, in CloudWatch order. pattern is the CIS filter pattern (the
# one the action writes); also lists other forms that CIS versions publish
# for the same check. The metric names are rectify's; the namespace is
# the AWS guide's.
checks := [
	{"n": 1, "cis": "4.3", "what": "root account use", "metric": "RootAccountUsage", "pattern": `{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`, "also": []},
	{"n": 2, "cis": "4.1", "what": "unauthorized API calls", "metric": "UnauthorizedAPICalls", "pattern": `{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`, "also": []},
	{"n": 3, "cis": "4.2", "what": "console sign-in without MFA", "metric": "ConsoleSigninWithoutMFA", "pattern": `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`, "also": []},
	{"n": 4, "cis": "4.4", "what": "IAM policy changes", "metric": "IAMPolicyChanges", "pattern": sprintf("{%s}", [iam_policy_terms]), "also": [sprintf("{($.eventSource=iam.amazonaws.com) && (%s)}", [iam_policy_terms])]},
	{"n": 5, "cis": "4.5", "what": "CloudTrail configuration changes", "metric": "CloudTrailChanges", "pattern": `{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}`, "also": []},
	{"n": 6, "cis": "4.6", "what": "console authentication failures", "metric": "ConsoleAuthenticationFailures", "pattern": `{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}`, "also": []},
	{"n": 7, "cis": "4.7", "what": "CMKs disabled or scheduled for deletion", "metric": "DisableOrDeleteCMK", "pattern": `{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}`, "also": []},
	{"n": 8, "cis": "4.8", "what": "S3 bucket policy changes", "metric": "S3BucketPolicyChanges", "pattern": `{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}`, "also": []},
	{"n": 9, "cis": "4.9", "what": "AWS Config configuration changes", "metric": "AWSConfigChanges", "pattern": `{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}`, "also": []},
	{"n": 10, "cis": "4.10", "what": "security group changes", "metric": "SecurityGroupChanges", "pattern": `{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}`, "also": []},
	{"n": 11, "cis": "4.11", "what": "network ACL changes", "metric": "NACLChanges", "pattern": `{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}`, "also": []},
	{"n": 12, "cis": "4.12", "what": "network gateway changes", "metric": "NetworkGatewayChanges", "pattern": `{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}`, "also": []},
	{"n": 13, "cis": "4.13", "what": "route table changes", "metric": "RouteTableChanges", "pattern": `{($.eventSource=ec2.amazonaws.com) && (($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable))}`, "also": []},
	{"n": 14, "cis": "4.14", "what": "VPC changes", "metric": "VPCChanges", "pattern": `{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}`, "also": []},
]

iam_policy_terms := concat(" || ", [sprintf("($.eventName=%s)", [e]) | some e in [
	"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
	"CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
	"AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
]])

props := input.resource.properties

# norm compares patterns without any whitespace: CIS and AWS write the same
# pattern with and without spaces around operators.
norm(p) := regex.replace(p, `\s+`, "")

# forms are the accepted patterns of a check, normalised.
forms(c) := {norm(p) | some p in array.concat([c.pattern], c.also)}

# matching are the filters on the trail's log group with a check's pattern.
matching(c) := [f |
	some f in object.get(props, "filters", [])
	is_string(f.pattern)
	norm(f.pattern) in forms(c)
]

# passes: a filter with the pattern has an alarm that notifies a topic
# someone subscribes to.
passes(c) if {
	some f in matching(c)
	some a in object.get(f, "alarms", [])
	a.notifies == true
}

# unsure: a filter with the pattern has an alarm whose topics' subscribers
# could not be read.
unsure(c) if {
	some f in matching(c)
	some a in object.get(f, "alarms", [])
	not "notifies" in object.keys(a)
}

# Judged only when the read produced the filters list (absent: unknown).
judged if "filters" in object.keys(props)

missing := [c | some c in checks; judged; not passes(c); not unsure(c)]

params := {
	"region": region,
	"log_group": log_group,
	"checks": [{"control": sprintf("CloudWatch.%d", [c.n]), "number": c.n, "metric": c.metric, "pattern": c.pattern} | some c in missing],
}

deny contains {"msg": msg, "params": params} if {
	some c in missing
	log_group != null
	msg := sprintf("CloudWatch.%d (CIS %s): %s in %s are not alarmed: %s", [c.n, c.cis, c.what, label, why(c)])
}

# Without a trail into CloudWatch Logs there is nothing the action can
# filter: the violation is notify only (cannot_fix), not a fix that fails.
deny contains {"msg": msg, "params": params, "cannot_fix": no_trail} if {
	some c in missing
	log_group == null
	msg := sprintf("CloudWatch.%d (CIS %s): %s in %s are not alarmed: %s", [c.n, c.cis, c.what, label, why(c)])
}

no_trail := "no multi-region CloudTrail trail that is logging delivers to CloudWatch Logs in this region, and rectify creates no trails"

why(c) := "no multi-region CloudTrail trail that is logging delivers to CloudWatch Logs, so there is no log group to filter (rectify creates no trails: create one, then the filter and alarm follow)" if {
	log_group == null
} else := sprintf("log group %s has no metric filter with the CIS pattern", [log_group]) if {
	count(matching(c)) == 0
} else := sprintf("the metric filter %s on log group %s has no alarm that notifies an SNS topic with a subscriber", [concat(", ", sort({object.get(f, "name", "?") | some f in matching(c)})), log_group])

log_group := props.log_group if {
	is_string(props.log_group)
	props.log_group != ""
} else := null

region := input.resource.region if {
	is_string(input.resource.region)
	input.resource.region != ""
} else := null

label := region if {
	is_string(region)
} else := "this region"

# undetermined: the filters could not be read, or a matching filter's
# alarm notifies topics whose subscribers are unknown.
undetermined contains {"msg": msg, "unknown": ["filters"]} if {
	not judged
	msg := sprintf("CIS monitoring in %s: the metric filters of the trail's log group are unknown", [label])
}

undetermined contains {"msg": msg, "unknown": ["filters.alarms.notifies"]} if {
	some c in checks
	judged
	not passes(c)
	unsure(c)
	msg := sprintf("CloudWatch.%d in %s: whether the alarm on the %s filter notifies a subscriber is unknown", [c.n, label, c.metric])
}
