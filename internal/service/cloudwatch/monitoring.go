// Package cloudwatch holds rectify's knowledge of the CIS monitoring
// controls (FSBP CloudWatch.1 to CloudWatch.14): the metric filters on the
// CloudWatch Logs log group of the region's multi-region CloudTrail trail
// and the alarms on their metrics, read live, the CloudTrail calls that
// change them, and the action that creates the missing ones.
package cloudwatch

import (
	"encoding/json"
	"strings"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeMonitoring is the type of the region's CIS monitoring setting: the
// Terraform type of its parts, a metric filter (with an alarm beside it).
const TypeMonitoring = "aws_cloudwatch_log_metric_filter"

// PolicyID is the control the setting's action re-judges with.
const PolicyID = "aws.cloudwatch.cis_monitoring"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Monitoring}

// The CloudTrail sources of the calls that change the setting.
const (
	sourceLogs       = "logs.amazonaws.com"
	sourceMonitoring = "monitoring.amazonaws.com"
	sourceSNS        = "sns.amazonaws.com"
)

// Monitoring is the CIS monitoring of one account and region, judged as a
// setting: what CloudWatch.1–14 ask is that the region's trail feeds a
// log group with 14 metric filters and an alarm on each that reaches a
// person. A region without a trail, a filter or an alarm is the
// violation, so the kind is a setting named by its region, as GuardDuty's
// detector is; a sweep yields the one setting of its region. Exemptions
// are config entries only (the setting carries no tags).
//
// The trails are the multi-region trails the region sees (its own and
// the shadows of other regions' trails) that log into a CloudWatch Logs
// log group; filters and alarms are read where that log group lives
// (its ARN's region), since an alarm watches metrics of its own region
// only.
//
// Live plane only: a plan cannot show the absence of a filter or an alarm
// made outside it, nor whether an SNS topic has subscribers.
//
// properties:
//
//	{"trails": [{"name", "log_group", "log_group_region"}],
//	 "log_group": "…",                         // the first trail's; absent without a trail
//	 "filters": [{"name", "log_group", "pattern", "metric", "namespace",
//	              "alarms": [{"name", "notifies": bool}]}]}
//
// notifies: an SNS action of the alarm names a topic with at least one
// confirmed subscriber; absent when the subscriptions could not be read.
var Monitoring = &kind.Kind{
	Type:     TypeMonitoring,
	Noun:     "CIS monitoring setting (CloudTrail metric filters and alarms)",
	ASFFType: "Other",
	Scope:    kind.ScopeRegion,
	ARN:      func(account, region, _ string) string { return SettingARN(account, region) },
	ParseARN: func(a kind.ARN) (string, bool) {
		return a.Region, a.Service == "cloudwatch" && a.Region != "" && a.Resource == settingResource
	},
	Fetch:     fetchMonitoring,
	Normalize: normalizeMonitoring,
	Calls: []kind.Call{
		// A setting kind is named by the call's account and region: a
		// filter or alarm changed in the log group's region changes that
		// region's setting; other regions that see the same multi-region
		// trail follow at their next sweep.
		{Source: sourceLogs, Names: []string{"PutMetricFilter", "DeleteMetricFilter", "DeleteLogGroup"}},
		{Source: sourceMonitoring, Names: []string{"PutMetricAlarm", "DeleteAlarms"}},
		// An alarm reaches a person only through a topic's subscribers.
		// DeleteTopic and the trail's calls (StopLogging, UpdateTrail,
		// DeleteTrail) change the answer too, but they already name a
		// topic or a trail: read here as well, each would start a second
		// evaluation and let a record that names no topic or trail pass
		// as this setting's. A stopped trail is CloudTrail.1's to fix;
		// the sweep catches the rest.
		{Source: sourceSNS, Names: []string{"Unsubscribe"}},
	},
	Actions:     []*kind.Action{CreateAlarms},
	Permissions: kind.Permissions{Read: readPermissions},
}

// readPermissions are the calls of the live read, which the action's
// snapshot and apply make too.
var readPermissions = []string{
	"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
	"logs:DescribeMetricFilters", "cloudwatch:DescribeAlarmsForMetric", "sns:ListSubscriptionsByTopic",
}

const settingResource = "cis-monitoring"

// SettingARN names the region's CIS monitoring setting. It is rectify's
// own: the setting has no AWS ARN, and it must be named when the region
// has no trail, filter or alarm at all.
func SettingARN(account, region string) string {
	return "arn:aws:cloudwatch:" + region + ":" + account + ":" + settingResource
}

// State is what the live plane reads.
type State struct {
	Trails  []Trail  `json:"Trails"`
	Filters []Filter `json:"Filters"`
}

// Trail is a multi-region, logging trail that delivers to a log group.
type Trail struct {
	Name           string `json:"Name"`
	LogGroup       string `json:"LogGroup"`
	LogGroupRegion string `json:"LogGroupRegion"`
}

// Filter is a metric filter on a trail's log group, with the alarms on
// its metric.
type Filter struct {
	Name      string  `json:"Name"`
	LogGroup  string  `json:"LogGroup"`
	Pattern   string  `json:"Pattern"`
	Metric    string  `json:"Metric,omitempty"`
	Namespace string  `json:"Namespace,omitempty"`
	Alarms    []Alarm `json:"Alarms,omitempty"`
}

// Alarm is an alarm on a filter's metric; Notifies is nil when whether
// its topics have subscribers is unknown.
type Alarm struct {
	Name     string `json:"Name"`
	Notifies *bool  `json:"Notifies,omitempty"`
}

func normalizeMonitoring(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s State
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return MonitoringResource(account, region, s), nil
}

// MonitoringResource normalizes the region's setting.
func MonitoringResource(account, region string, s State) resource.Resource {
	trails := make([]any, 0, len(s.Trails))
	for _, t := range s.Trails {
		trails = append(trails, map[string]any{"name": t.Name, "log_group": t.LogGroup, "log_group_region": t.LogGroupRegion})
	}
	filters := make([]any, 0, len(s.Filters))
	for _, f := range s.Filters {
		alarms := make([]any, 0, len(f.Alarms))
		for _, a := range f.Alarms {
			am := map[string]any{"name": a.Name}
			if a.Notifies != nil {
				am["notifies"] = *a.Notifies
			}
			alarms = append(alarms, am)
		}
		filters = append(filters, map[string]any{
			"name": f.Name, "log_group": f.LogGroup, "pattern": f.Pattern,
			"metric": f.Metric, "namespace": f.Namespace, "alarms": alarms,
		})
	}
	props := map[string]any{"trails": trails, "filters": filters}
	if len(s.Trails) > 0 {
		props["log_group"] = s.Trails[0].LogGroup
	}
	return resource.Resource{
		Type: TypeMonitoring, ARN: SettingARN(account, region), ID: region, Name: region,
		Account: account, Region: region, Tags: map[string]string{}, Plane: resource.PlaneLive, Properties: props,
	}
}

// logGroupOf reads a log group's name and region from its ARN, as
// CloudTrail gives it (arn:aws:logs:<region>:<account>:log-group:<name>:*).
func logGroupOf(arn string) (name, region string, ok bool) {
	a, isARN := kind.ParseARN(arn)
	if !isARN || a.Service != "logs" {
		return "", "", false
	}
	name, found := strings.CutPrefix(a.Resource, "log-group:")
	name = strings.TrimSuffix(name, ":*")
	if !found || name == "" || a.Region == "" {
		return "", "", false
	}
	return name, a.Region, true
}
