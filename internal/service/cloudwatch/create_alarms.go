package cloudwatch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TopicOption is the remediation option of CreateAlarms.
const TopicOption = "cloudwatch.alarm_topic_arn"

// Namespace is the metric namespace of the filters rectify creates (the
// AWS Security Hub guide's).
const Namespace = "LogMetrics"

// NamePrefix starts the name of every filter and alarm rectify creates;
// the check's number ends it (rectify-cis-cloudwatch-7).
const NamePrefix = "rectify-cis-cloudwatch-"

// Name is the filter and alarm name of check n.
func Name(n int) string { return NamePrefix + strconv.Itoa(n) }

// CreateAlarms creates, for each CIS monitoring check the region fails
// (FSBP CloudWatch.1–14), the CIS metric filter on the log group of the
// region's multi-region trail and an alarm on its metric (Sum ≥ 1 over 5
// minutes) notifying the SNS topic in remediation.cloudwatch.alarm_topic_arn.
// Until the topic is configured the control only notifies: who is told
// is the operator's decision. A region with no trail delivering to
// CloudWatch Logs cannot be fixed this way, and rectify creates no
// trails: apply refuses and says so. Undo deletes exactly the filters and
// alarms apply created, never ones that existed before.
var CreateAlarms = &kind.Action{
	Name: "cloudwatch_create_cis_alarms",
	Permissions: slices.Concat(readPermissions, []string{
		"logs:PutMetricFilter", "logs:DeleteMetricFilter",
		"cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms",
	}),
	Describe: describeCreate,
	Snapshot: snapshotAlarms,
	Apply:    applyAlarms,
	Undo:     undoAlarms,
	Options: []kind.Option{
		{Key: TopicOption, Help: "SNS topic the CIS monitoring alarms notify ({account} and {region} are replaced by the log " +
			"group's); it must be in the log group's region and have at least one confirmed subscriber. rectify never edits it."},
	},
}

// check is one missing check as the policy's params name it.
type check struct {
	Control string
	Number  int
	Metric  string
	Pattern string
}

// checksOf reads params.checks.
func checksOf(ref resource.Ref, params map[string]any) ([]check, error) {
	raw, _ := params["checks"].([]any)
	if len(raw) == 0 {
		return nil, awserr.Permanent(awserr.InvalidParams, "cloudwatch_create_cis_alarms on %s: params.checks: want a list of checks, got %T", ref.ARN, params["checks"])
	}
	out := make([]check, 0, len(raw))
	for i, r := range raw {
		m, _ := r.(map[string]any)
		c := check{}
		c.Control, _ = m["control"].(string)
		c.Metric, _ = m["metric"].(string)
		c.Pattern, _ = m["pattern"].(string)
		n, err := kind.Int(m["number"])
		if err != nil || n < 1 || c.Metric == "" || c.Pattern == "" {
			return nil, awserr.Permanent(awserr.InvalidParams, "cloudwatch_create_cis_alarms on %s: params.checks[%d]: want number, metric and pattern, got %v", ref.ARN, i, r)
		}
		c.Number = n
		out = append(out, c)
	}
	return out, nil
}

func describeCreate(params map[string]any) string {
	var ids []string
	if raw, ok := params["checks"].([]any); ok {
		for _, r := range raw {
			if m, ok := r.(map[string]any); ok {
				if c, ok := m["control"].(string); ok {
					ids = append(ids, c)
				}
			}
		}
	}
	what := "the missing CIS metric filters and alarms"
	if len(ids) > 0 {
		what = "the CIS metric filter and alarm for " + strings.Join(ids, ", ")
	}
	where := "the log group of the region's multi-region trail"
	if g, ok := params["log_group"].(string); ok && g != "" {
		where = "log group " + g
	}
	return "create " + what + " on " + where + ", alarming the SNS topic in remediation." + TopicOption
}

// alarmsSnapshot is what existed before apply: the log group it wrote to
// and, of the names it would create, the filters and alarms already there.
type alarmsSnapshot struct {
	Region         string   `json:"region"`
	LogGroup       string   `json:"log_group"`
	LogGroupRegion string   `json:"log_group_region"`
	Planned        []string `json:"planned"`
	Filters        []string `json:"filters"`
	Alarms         []string `json:"alarms"`
}

// target is the log group apply writes to: the first trail's.
func target(ctx context.Context, env kind.Env, ref resource.Ref) (State, Trail, error) {
	s, err := readState(ctx, env, ref.Account, ref.Region)
	if err != nil {
		return State{}, Trail{}, err
	}
	if len(s.Trails) == 0 {
		return s, Trail{}, awserr.Permanent(awserr.InvalidParams, "cloudwatch_create_cis_alarms on %s: no multi-region CloudTrail trail that is logging delivers to CloudWatch Logs in %s, "+
			"so there is no log group to put the CIS metric filters on; rectify creates no trails: create one (or set its CloudWatchLogsLogGroupArn) and the next evaluation adds the filters and alarms", ref.ARN, ref.Region)
	}
	return s, s.Trails[0], nil
}

func snapshotAlarms(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	checks, err := checksOf(ref, params)
	if err != nil {
		return nil, err
	}
	_, t, err := target(ctx, env, ref)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(checks))
	for _, c := range checks {
		names = append(names, Name(c.Number))
	}
	filters, err := ownFilters(ctx, env, ref.Account, t)
	if err != nil {
		return nil, err
	}
	alarms, err := ownAlarms(ctx, env.AWS.CloudWatch(ref.Account, t.LogGroupRegion), names)
	if err != nil {
		return nil, err
	}
	return alarmsSnapshot{
		Region: ref.Region, LogGroup: t.LogGroup, LogGroupRegion: t.LogGroupRegion, Planned: names,
		Filters: intersect(names, filters), Alarms: alarms,
	}, nil
}

func applyAlarms(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	asked, err := checksOf(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	s, t, err := target(ctx, env, ref)
	if err != nil {
		return kind.Applied{}, err
	}
	// Re-judge what is there now: a check fixed since the violation was
	// found (by hand, or by this apply's first attempt) is left alone.
	failing, err := failingChecks(ctx, env, ref, s)
	if err != nil {
		return kind.Applied{}, err
	}
	var todo []check
	for _, c := range asked {
		if f, ok := failing[c.Number]; ok {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return kind.Applied{Summary: "the CIS metric filters and alarms asked for already exist in " + ref.Region}, nil
	}
	topic := strings.NewReplacer("{account}", ref.Account, "{region}", t.LogGroupRegion).Replace(env.Options[TopicOption])
	if topic == "" {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "cloudwatch_create_cis_alarms on %s: remediation.%s is not set", ref.ARN, TopicOption)
	}
	subs := subscribers{env: env, account: ref.Account, known: map[string]*bool{}}
	if n, err := subs.notifies(ctx, topic); err != nil {
		return kind.Applied{}, err
	} else if n != nil && !*n {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "cloudwatch_create_cis_alarms on %s: SNS topic %s (remediation.%s) has no confirmed subscriber, "+
			"so its alarms would reach nobody and the checks would still fail: subscribe someone to it", ref.ARN, topic, TopicOption)
	}
	logs := env.AWS.CloudWatchLogs(ref.Account, t.LogGroupRegion)
	alarms := env.AWS.CloudWatch(ref.Account, t.LogGroupRegion)
	var done []string
	for _, c := range todo {
		name := Name(c.Number)
		if _, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
			LogGroupName: aws.String(t.LogGroup), FilterName: aws.String(name), FilterPattern: aws.String(c.Pattern),
			MetricTransformations: []logtypes.MetricTransformation{{
				MetricName: aws.String(c.Metric), MetricNamespace: aws.String(Namespace), MetricValue: aws.String("1"),
			}},
		}); awserr.Code(err) == "ResourceNotFoundException" {
			// The trail names a log group that is gone: CloudTrail delivers
			// nothing, and making log groups for trails is not this fix.
			return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "cloudwatch_create_cis_alarms on %s: log group %s, where trail %s delivers, does not exist in %s; "+
				"rectify creates no log groups: create it (or point the trail at another) and the next evaluation adds the filters and alarms", ref.ARN, t.LogGroup, t.Name, t.LogGroupRegion)
		} else if err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("put metric filter %s on log group %s in %s/%s", name, t.LogGroup, ref.Account, t.LogGroupRegion), err)
		}
		if _, err := alarms.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{
			AlarmName:        aws.String(name),
			AlarmDescription: aws.String(c.Control + " (CIS monitoring): " + c.Metric + " events in the CloudTrail log group " + t.LogGroup),
			MetricName:       aws.String(c.Metric), Namespace: aws.String(Namespace),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{topic},
		}); err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("put metric alarm %s in %s/%s", name, ref.Account, t.LogGroupRegion), err)
		}
		done = append(done, c.Control)
	}
	return kind.Applied{Changed: true, Summary: "created the CIS metric filter and alarm (" + NamePrefix + "N) for " + strings.Join(done, ", ") +
		" on log group " + t.LogGroup + ", alarming " + topic}, nil
}

// failingChecks judges the state with the policy and returns the checks
// it still denies, by number.
func failingChecks(ctx context.Context, env kind.Env, ref resource.Ref, s State) (map[int]check, error) {
	verdicts, err := env.Judge(ctx, PolicyID, MonitoringResource(ref.Account, ref.Region, s))
	if err != nil {
		return nil, fmt.Errorf("evaluate %s on %s: %w", PolicyID, ref.ARN, err)
	}
	out := map[int]check{}
	for _, v := range verdicts {
		cs, err := checksOf(ref, v)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s on %s: %w", PolicyID, ref.ARN, err)
		}
		for _, c := range cs {
			out[c.Number] = c
		}
	}
	return out, nil
}

func undoAlarms(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap alarmsSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.LogGroup == "" || snap.LogGroupRegion == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo cloudwatch_create_cis_alarms on %s: snapshot: %v", ref.ARN, err)
	}
	var created []string // what apply may have made: planned, not there before
	for _, n := range snap.Planned {
		if strings.HasPrefix(n, NamePrefix) {
			created = append(created, n)
		}
	}
	t := Trail{LogGroup: snap.LogGroup, LogGroupRegion: snap.LogGroupRegion}
	filters, err := ownFilters(ctx, env, ref.Account, t)
	if err != nil {
		return err
	}
	logs := env.AWS.CloudWatchLogs(ref.Account, snap.LogGroupRegion)
	for _, name := range intersect(created, filters) {
		if slices.Contains(snap.Filters, name) {
			continue // it was there before apply
		}
		if _, err := logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(snap.LogGroup), FilterName: aws.String(name)}); err != nil &&
			awserr.Code(err) != "ResourceNotFoundException" {
			return awserr.Wrap(ctx, fmt.Sprintf("delete metric filter %s of log group %s in %s/%s", name, snap.LogGroup, ref.Account, snap.LogGroupRegion), err)
		}
	}
	client := env.AWS.CloudWatch(ref.Account, snap.LogGroupRegion)
	present, err := ownAlarms(ctx, client, created)
	if err != nil {
		return err
	}
	var drop []string
	for _, name := range present {
		if !slices.Contains(snap.Alarms, name) {
			drop = append(drop, name)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	// DeleteAlarms fails whole on a name that does not exist: only the
	// ones just read are named.
	if _, err := client.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: drop}); err != nil && awserr.Code(err) != "ResourceNotFound" {
		return awserr.Wrap(ctx, fmt.Sprintf("delete alarms %s in %s/%s", strings.Join(drop, ", "), ref.Account, snap.LogGroupRegion), err)
	}
	return nil
}

// ownFilters lists the names of the filters with rectify's prefix on the
// log group.
func ownFilters(ctx context.Context, env kind.Env, account string, t Trail) ([]string, error) {
	var out []string
	pages := cloudwatchlogs.NewDescribeMetricFiltersPaginator(env.AWS.CloudWatchLogs(account, t.LogGroupRegion), &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String(t.LogGroup), FilterNamePrefix: aws.String(NamePrefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if awserr.Code(err) == "ResourceNotFoundException" {
			return out, nil // the log group is gone, and its filters with it
		}
		if err != nil {
			return nil, awserr.Wrap(ctx, fmt.Sprintf("describe metric filters %s* of log group %s in %s/%s", NamePrefix, t.LogGroup, account, t.LogGroupRegion), err)
		}
		for _, f := range page.MetricFilters {
			out = append(out, aws.ToString(f.FilterName))
		}
	}
	return out, nil
}

// ownAlarms returns which of the named alarms exist.
func ownAlarms(ctx context.Context, client *cw.Client, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var out []string
	pages := cw.NewDescribeAlarmsPaginator(client, &cw.DescribeAlarmsInput{AlarmNames: names, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awserr.Wrap(ctx, "describe alarms "+strings.Join(names, ", "), err)
		}
		for _, a := range page.MetricAlarms {
			out = append(out, aws.ToString(a.AlarmName))
		}
	}
	return out, nil
}

// intersect keeps the names of want that are in have, in want's order.
func intersect(want, have []string) []string {
	var out []string
	for _, n := range want {
		if slices.Contains(have, n) {
			out = append(out, n)
		}
	}
	return out
}
