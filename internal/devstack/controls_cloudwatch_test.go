package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	svccw "github.com/rectifyhq/rectify/internal/service/cloudwatch"
)

const (
	policyCISMonitoring = "aws.cloudwatch.cis_monitoring"
	cisLogGroup         = "CloudTrail/org"
	cisTopic            = "cis-alarms"
)

// cwRemediation names the SNS topic the CIS alarms notify; with it the
// control enforces.
func cwRemediation(c *config.Config) {
	c.Remediation = map[string]any{"cloudwatch": map[string]any{"alarm_topic_arn": "arn:aws:sns:{region}:{account}:" + cisTopic}}
}

// cisCheck is one CIS monitoring check as the policy describes it.
type cisCheck struct {
	number          int
	metric, pattern string
}

// cisChecks reads the 14 checks from the policy: its params on a region
// whose trail's log group has no filter name every check.
func cisChecks(t *testing.T, region string) []cisCheck {
	t.Helper()
	r := svccw.MonitoringResource(Account, region, svccw.State{Trails: []svccw.Trail{{Name: "org", LogGroup: cisLogGroup, LogGroupRegion: region}}})
	vs, err := policySet.Evaluate(context.Background(), r)
	if err != nil || len(vs) == 0 {
		t.Fatalf("the policy on a region without filters: %v, %v", vs, err)
	}
	var out []cisCheck
	raw, _ := vs[0].Params["checks"].([]any)
	for _, c := range raw {
		m := c.(map[string]any)
		n, err := jsonInt(m["number"])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cisCheck{number: n, metric: m["metric"].(string), pattern: m["pattern"].(string)})
	}
	if len(out) != 14 {
		t.Fatalf("%d checks, want 14", len(out))
	}
	return out
}

// seedCISMonitoring makes the region compliant with the operator's own
// filters and alarms (ops-<metric>): a multi-region, logging trail into a
// log group with the 14 CIS filters, an alarm on each notifying a topic
// with one confirmed subscriber. Seeds make no CloudTrail event.
func seedCISMonitoring(t *testing.T, s *stack, region string) []cisCheck {
	t.Helper()
	checks := cisChecks(t, region)
	var filters []fakecloud.MetricFilterSeed
	for _, c := range checks {
		filters = append(filters, fakecloud.MetricFilterSeed{Name: "ops-" + c.metric, Pattern: c.pattern, MetricNamespace: "Ops", MetricName: c.metric})
	}
	group, err := s.cloud.SeedLogGroup(Account, fakecloud.LogGroupSeed{Region: region, Name: cisLogGroup, MetricFilters: filters})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cloud.SeedTrail(Account, fakecloud.TrailSeed{Name: "org" + s.suffix, Region: region, Bucket: "org-trail" + s.suffix, MultiRegion: true, Logging: true,
		LogGroupARN: group, LogRoleARN: "arn:aws:iam::" + Account + ":role/cloudtrail-to-logs"}); err != nil {
		t.Fatal(err)
	}
	if err := s.cloud.SeedTopic(Account, fakecloud.TopicSeed{Region: region, Name: cisTopic}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.cloud.SeedSubscription(Account, fakecloud.SubscriptionSeed{Region: region, Topic: cisTopic, Protocol: "sqs",
		Endpoint: "arn:aws:sqs:" + region + ":" + Account + ":oncall"}); err != nil {
		t.Fatal(err)
	}
	topic := "arn:aws:sns:" + region + ":" + Account + ":" + cisTopic
	for _, c := range checks {
		if err := s.cloud.SeedMetricAlarm(Account, fakecloud.AlarmSeed{Region: region, Name: "ops-" + c.metric, MetricName: c.metric, Namespace: "Ops", AlarmActions: []string{topic}}); err != nil {
			t.Fatal(err)
		}
	}
	return checks
}

func cisNames(s *stack, region string) (filters, alarms []string) {
	for _, f := range s.cloud.MetricFilters(Account, region, cisLogGroup) {
		filters = append(filters, f.Name)
	}
	for _, a := range s.cloud.MetricAlarms(Account, region) {
		alarms = append(alarms, a.Name)
	}
	return filters, alarms
}

// TestCISAlarmDeletedNotifiedThenRecreated: in a region whose CIS
// monitoring is complete, the human deletes the root-use alarm
// (DeleteAlarms through the SDK). Without remediation.cloudwatch.* the
// CloudTrail event is only notified, naming CloudWatch.1; with the topic
// configured (another stack) rectify creates its own CIS filter and alarm
// for root use, verified and recorded in Security Hub, and undo deletes
// exactly those two, leaving every filter and alarm of the operator's.
// The same when the human deletes the VPC changes filter
// (DeleteMetricFilter, CloudWatch.14).
// Each runs in a region of its own: the setting's workflow id is its
// region's, and the stack region's belongs to the demo's story.
func TestCISAlarmDeletedNotifiedThenRecreated(t *testing.T) {
	ctx := context.Background()
	deleteRootAlarm := func(s *stack, region string) {
		t.Helper()
		client := cw.NewFromConfig(s.human(), func(o *cw.Options) { o.Region = region })
		if _, err := client.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{"ops-RootAccountUsage"}}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("notify until configured", func(t *testing.T) {
		const region = "eu-west-1"
		s := newStack(t, nil)
		seedCISMonitoring(t, s, region)
		ref := svccw.Monitoring.Setting(Account, region)
		wid := contract.RemediationID(policyCISMonitoring, ref.ARN)
		deleteRootAlarm(s, region)
		if st := s.waitState(wid, contract.StateNotified); st.Mode != contract.ModeNotify {
			t.Errorf("mode = %s, want notify until the alarm topic is configured", st.Mode)
		}
		f := s.finding(ctx, policyCISMonitoring, ref, shtypes.WorkflowStatusNotified)
		desc := aws.ToString(f.Description)
		for _, want := range []string{"CloudWatch.1 ", "remediation." + svccw.TopicOption} {
			if !strings.Contains(desc, want) {
				t.Errorf("finding description %q does not say %q", desc, want)
			}
		}
		if filters, alarms := cisNames(s, region); slices.ContainsFunc(append(filters, alarms...), func(n string) bool { return strings.HasPrefix(n, svccw.NamePrefix) }) {
			t.Errorf("notify created filters %v or alarms %v", filters, alarms)
		}
	})

	// Enforced, through either call: the human deletes an alarm
	// (monitoring.amazonaws.com) or a filter (logs.amazonaws.com).
	for _, tc := range []struct {
		name, region string
		check        int
		human        func(s *stack, region string)
	}{
		{"enforced: root-use alarm deleted", "eu-west-2", 1, deleteRootAlarm},
		{"enforced: VPC changes filter deleted", "us-west-2", 14, func(s *stack, region string) {
			client := cloudwatchlogs.NewFromConfig(s.human(), func(o *cloudwatchlogs.Options) { o.Region = region })
			if _, err := client.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(cisLogGroup), FilterName: aws.String("ops-VPCChanges")}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, cwRemediation)
			checks := seedCISMonitoring(t, s, tc.region)
			ref := svccw.Monitoring.Setting(Account, tc.region)
			wid := contract.RemediationID(policyCISMonitoring, ref.ARN)
			tc.human(s, tc.region)
			filtersBefore, alarmsBefore := cisNames(s, tc.region) // the human's change made
			if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
				t.Errorf("remediations = %d, want 1", st.Remediations)
			}
			name := svccw.Name(tc.check)
			var want cisCheck
			for _, c := range checks {
				if c.number == tc.check {
					want = c
				}
			}
			var gotFilter, gotAlarm bool
			for _, f := range s.cloud.MetricFilters(Account, tc.region, cisLogGroup) {
				gotFilter = gotFilter || (f.Name == name && f.Pattern == want.pattern && f.MetricName == want.metric && f.MetricNamespace == svccw.Namespace)
			}
			for _, a := range s.cloud.MetricAlarms(Account, tc.region) {
				gotAlarm = gotAlarm || (a.Name == name && a.MetricName == want.metric && slices.Equal(a.AlarmActions, []string{"arn:aws:sns:" + tc.region + ":" + Account + ":" + cisTopic}))
			}
			if !gotFilter || !gotAlarm {
				filters, alarms := cisNames(s, tc.region)
				t.Fatalf("after the remediation: filter %s %v, alarm %s %v (filters %v, alarms %v)", name, gotFilter, name, gotAlarm, filters, alarms)
			}
			for _, call := range []string{"PutMetricFilter", "PutMetricAlarm"} {
				if n := s.events.count(call, RemediationRoleName); n != 1 {
					t.Errorf("the remediation role called %s %d times, want 1 (CloudWatch.%d only)", call, n, tc.check)
				}
			}
			s.wantResolvedFinding(ctx, policyCISMonitoring, ref)

			if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "alarmed by the org's SIEM"}); err != nil {
				t.Fatal(err)
			}
			s.waitState(wid, contract.StateUndone)
			if filters, alarms := cisNames(s, tc.region); !slices.Equal(filters, filtersBefore) || !slices.Equal(alarms, alarmsBefore) {
				t.Errorf("after undo: filters %v, alarms %v; want the operator's, as the human left them: %v and %v", filters, alarms, filtersBefore, alarmsBefore)
			}
			for _, call := range []string{"DeleteMetricFilter", "DeleteAlarms"} {
				if n := s.events.count(call, RemediationRoleName); n != 1 {
					t.Errorf("the remediation role called %s %d times, want 1", call, n)
				}
			}
		})
	}
}

// jsonInt reads a number of a policy's params (json.Number from the
// policy set, float64 after a JSON round trip).
func jsonInt(v any) (int, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err
	case float64:
		return int(n), nil
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}
