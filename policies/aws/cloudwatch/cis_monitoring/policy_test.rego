package rectify.aws.cloudwatch.cis_monitoring_test

import data.rectify.aws.cloudwatch.cis_monitoring as policy

setting(props) := {"resource": {
	"type": "aws_cloudwatch_log_metric_filter",
	"address": null,
	"id": "eu-west-1",
	"region": "eu-west-1",
	"plane": "live",
	"properties": props,
}}

trail := {"name": "org", "log_group": "CloudTrail/org", "log_group_region": "eu-west-1"}

# filter(c, notifies): the check's filter with one alarm.
filter(c, notifies) := {
	"name": sprintf("cis-%d", [c.n]), "log_group": "CloudTrail/org", "pattern": c.pattern,
	"alarms": [{"name": sprintf("cis-%d", [c.n]), "notifies": notifies}],
}

# every check's filter and alarm, except the ones numbered in skip.
all_but(skip) := {"trails": [trail], "log_group": "CloudTrail/org", "filters": [filter(c, true) | some c in policy.checks; not c.n in skip]}

test_all_fourteen_pass if {
	count(policy.deny) == 0 with input as setting(all_but(set()))
}

test_one_missing_filter_is_one_deny_naming_its_id if {
	denies := policy.deny with input as setting(all_but({7}))
	count(denies) == 1
	some v in denies
	startswith(v.msg, "CloudWatch.7 (CIS 4.7)")
	contains(v.msg, "log group CloudTrail/org has no metric filter")
	v.params.log_group == "CloudTrail/org"
	v.params.region == "eu-west-1"
	[c.control | some c in v.params.checks] == ["CloudWatch.7"]
	v.params.checks[0].metric == "DisableOrDeleteCMK"
	startswith(v.params.checks[0].pattern, "{($.eventSource=kms.amazonaws.com)")
}

# One workflow acts on the params of any one deny: they must all carry the
# whole list.
test_every_deny_carries_every_missing_check if {
	denies := policy.deny with input as setting(all_but({1, 5, 14}))
	count(denies) == 3
	every v in denies {
		[c.number | some c in v.params.checks] == [1, 5, 14]
	}
	{substring(v.msg, 0, 14) | some v in denies} == {"CloudWatch.1 (", "CloudWatch.5 (", "CloudWatch.14 "}
}

test_no_trail_denies_all_fourteen_and_says_why if {
	denies := policy.deny with input as setting({"trails": [], "filters": []})
	count(denies) == 14
	every v in denies {
		contains(v.msg, "no multi-region CloudTrail trail")
		v.params.log_group == null
		count(v.params.checks) == 14
		contains(v.cannot_fix, "rectify creates no trails")
	}
}

test_with_a_trail_the_fix_can_run if {
	denies := policy.deny with input as setting(all_but({1}))
	count(denies) == 1
	every v in denies {
		not v.cannot_fix
	}
}

test_whitespace_does_not_matter if {
	spaced := [f |
		some c in policy.checks
		f := object.union(filter(c, true), {"pattern": replace(replace(c.pattern, "=", " = "), "&&", "\n&&\t")})
	]
	count(policy.deny) == 0 with input as setting({"trails": [trail], "log_group": "CloudTrail/org", "filters": spaced})
}

test_other_pattern_is_not_the_check if {
	loose := object.union(filter(policy.checks[1], true), {"pattern": `{$.errorCode="AccessDenied*"}`})
	props := object.union(all_but({2}), {"filters": array.concat(all_but({2}).filters, [loose])})
	some v in policy.deny with input as setting(props)
	startswith(v.msg, "CloudWatch.2 ")
}

test_cis_v3_iam_form_passes if {
	iam := object.union(filter(policy.checks[3], true), {"pattern": sprintf("{($.eventSource=iam.amazonaws.com) && (%s)}", [policy.iam_policy_terms])})
	props := object.union(all_but({4}), {"filters": array.concat(all_but({4}).filters, [iam])})
	count(policy.deny) == 0 with input as setting(props)
}

test_filter_without_alarm_denied if {
	bare := object.union(filter(policy.checks[0], true), {"alarms": []})
	props := object.union(all_but({1}), {"filters": array.concat(all_but({1}).filters, [bare])})
	some v in policy.deny with input as setting(props)
	contains(v.msg, "the metric filter cis-1 on log group CloudTrail/org has no alarm")
}

test_alarm_without_subscriber_denied if {
	props := object.union(all_but({3}), {"filters": array.concat(all_but({3}).filters, [filter(policy.checks[2], false)])})
	denies := policy.deny with input as setting(props)
	count(denies) == 1
	some v in denies
	startswith(v.msg, "CloudWatch.3 (CIS 4.2)")
}

test_unknown_subscribers_not_denied if {
	unknown := object.union(filter(policy.checks[2], true), {"alarms": [{"name": "cis-3"}]})
	props := object.union(all_but({3}), {"filters": array.concat(all_but({3}).filters, [unknown])})
	count(policy.deny) == 0 with input as setting(props)
	some u in policy.undetermined with input as setting(props)
	u.unknown == ["filters.alarms.notifies"]
}

# A plan document has no filters: the policy must pass it.
test_plan_document_passes_and_is_undetermined if {
	doc := {"resource": {"type": "aws_cloudwatch_log_metric_filter", "address": "aws_cloudwatch_log_metric_filter.x", "plane": "plan", "properties": {"pattern": "x"}}}
	count(policy.deny) == 0 with input as doc
	some u in policy.undetermined with input as doc
	u.unknown == ["filters"]
}

test_bad_region_is_null if {
	doc := {"resource": {"type": "aws_cloudwatch_log_metric_filter", "region": 7, "plane": "live", "properties": {"filters": []}}}
	some v in policy.deny with input as doc
	v.params.region == null
	contains(v.msg, "this region")
}

test_table_is_fourteen_distinct_checks if {
	[c.n | some c in policy.checks] == numbers.range(1, 14)
	count({c.metric | some c in policy.checks}) == 14
	count({policy.norm(c.pattern) | some c in policy.checks}) == 14
}
