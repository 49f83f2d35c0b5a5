package activities

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svccw "github.com/rectifyhq/rectify/internal/service/cloudwatch"
)

const (
	cisRegion   = "us-east-1"
	cisLogGroup = "CloudTrail/org"
	cisTopic    = "cis-alarms"
)

// cisChecks are the policy's checks: number → pattern and metric, read
// from a violation of a region with no filter at all.
type cisCheck struct{ pattern, metric string }

func cisRef() resource.Ref {
	return svccw.Monitoring.Setting(fakecloud.DefaultAccount, cisRegion)
}

// seedCISTrail seeds the region's multi-region, logging trail delivering
// to a log group, and an SNS topic with one confirmed subscriber. It
// returns the topic's ARN.
func seedCISTrail(t *testing.T, cloud *fakecloud.Cloud, subscribed bool) string {
	t.Helper()
	const acct = fakecloud.DefaultAccount
	group, err := cloud.SeedLogGroup(acct, fakecloud.LogGroupSeed{Region: cisRegion, Name: cisLogGroup})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloud.SeedTrail(acct, fakecloud.TrailSeed{Name: "org", Region: cisRegion, Bucket: "org-trail", MultiRegion: true, Logging: true,
		LogGroupARN: group, LogRoleARN: "arn:aws:iam::" + acct + ":role/cloudtrail-to-logs"}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.SeedTopic(acct, fakecloud.TopicSeed{Region: cisRegion, Name: cisTopic}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloud.SeedSubscription(acct, fakecloud.SubscriptionSeed{Region: cisRegion, Topic: cisTopic, Protocol: "sqs",
		Endpoint: "arn:aws:sqs:" + cisRegion + ":" + acct + ":oncall", Pending: !subscribed}); err != nil {
		t.Fatal(err)
	}
	return "arn:aws:sns:" + cisRegion + ":" + acct + ":" + cisTopic
}

// cisMissing returns the numbers of the checks the violation's params
// name, and each check's pattern and metric.
func cisMissing(t *testing.T, params map[string]any) (map[int]cisCheck, []int) {
	t.Helper()
	out := map[int]cisCheck{}
	var ns []int
	raw, _ := params["checks"].([]any)
	for _, r := range raw {
		m := r.(map[string]any)
		n := int(m["number"].(float64))
		out[n] = cisCheck{pattern: m["pattern"].(string), metric: m["metric"].(string)}
		ns = append(ns, n)
	}
	return out, ns
}

// filterNames lists the names of the log group's filters.
func filterNames(cloud *fakecloud.Cloud) []string {
	var out []string
	for _, f := range cloud.MetricFilters(fakecloud.DefaultAccount, cisRegion, cisLogGroup) {
		out = append(out, f.Name)
	}
	return out
}

func alarmNames(cloud *fakecloud.Cloud) []string {
	var out []string
	for _, a := range cloud.MetricAlarms(fakecloud.DefaultAccount, cisRegion) {
		out = append(out, a.Name)
	}
	return out
}

// TestCloudWatchCreateCISAlarms: cloudwatch_create_cis_alarms through
// deny, snapshot, apply (twice, the second a no-op), pass and undo
// (twice). In a region with none of the 14, apply creates all 14 filters
// and alarms and undo deletes them all. In a region where 12 checks pass
// on filters and alarms of the operator's, one fails for want of a
// filter, and one has rectify's own-named filter from before but no
// alarm, apply adds what is missing and undo deletes exactly that: the
// operator's filters and alarms and the filter that existed stay.
func TestCloudWatchCreateCISAlarms(t *testing.T) {
	const acct = fakecloud.DefaultAccount
	ref := cisRef()
	for _, tc := range []struct {
		name string
		// seed makes the region's state from the checks' table; nil
		// leaves the region with no filter at all.
		seed        func(t *testing.T, cloud *fakecloud.Cloud, topic string, checks map[int]cisCheck)
		wantMissing []int
		// what undo leaves
		wantFilters, wantAlarms []string
	}{
		{
			name:        "none of the 14",
			wantMissing: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
		},
		{
			name: "12 of the operator's, one missing, one half there",
			seed: func(t *testing.T, cloud *fakecloud.Cloud, topic string, checks map[int]cisCheck) {
				var filters []fakecloud.MetricFilterSeed
				for n, c := range checks {
					switch n {
					case 3: // nothing at all
					case 7: // rectify's filter from an earlier fix, its alarm deleted
						filters = append(filters, fakecloud.MetricFilterSeed{Name: svccw.Name(7), Pattern: c.pattern, MetricNamespace: svccw.Namespace, MetricName: c.metric})
					default:
						// The operator's, written with other spacing.
						filters = append(filters, fakecloud.MetricFilterSeed{Name: "ops-" + c.metric, Pattern: strings.ReplaceAll(c.pattern, "=", " = "), MetricNamespace: "Ops", MetricName: c.metric})
						if err := cloud.SeedMetricAlarm(acct, fakecloud.AlarmSeed{Region: cisRegion, Name: "ops-" + c.metric, MetricName: c.metric, Namespace: "Ops", AlarmActions: []string{topic}}); err != nil {
							t.Fatal(err)
						}
					}
				}
				if _, err := cloud.SeedLogGroup(acct, fakecloud.LogGroupSeed{Region: cisRegion, Name: cisLogGroup, MetricFilters: filters}); err != nil {
					t.Fatal(err)
				}
			},
			wantMissing: []int{3, 7},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cloud, a := newFakeActivities(t)
			topic := seedCISTrail(t, cloud, true)
			a.Options = map[string]string{svccw.TopicOption: "arn:aws:sns:{region}:{account}:" + cisTopic}
			all := violationParams(t, a, ref, svccw.PolicyID)
			if all == nil {
				t.Fatal("the policy does not deny a region with no filter")
			}
			checks, _ := cisMissing(t, all)
			if len(checks) != 14 {
				t.Fatalf("a region with no filter misses %d checks, want 14", len(checks))
			}
			if tc.seed != nil {
				// SeedLogGroup of an existing group: start over on a new
				// cloud whose log group carries the seeded filters.
				cloud, a = newFakeActivities(t)
				a.Options = map[string]string{svccw.TopicOption: "arn:aws:sns:{region}:{account}:" + cisTopic}
				tc.seed(t, cloud, topic, checks)
				seedCISTrailOn(t, cloud)
			}
			beforeFilters, beforeAlarms := filterNames(cloud), alarmNames(cloud)
			if tc.wantFilters == nil {
				tc.wantFilters, tc.wantAlarms = beforeFilters, beforeAlarms
			}

			params := violationParams(t, a, ref, svccw.PolicyID)
			if params == nil {
				t.Fatal("no violation")
			}
			if _, missing := cisMissing(t, params); !slices.Equal(missing, tc.wantMissing) {
				t.Fatalf("missing checks %v, want %v", missing, tc.wantMissing)
			}
			if params["log_group"] != cisLogGroup || params["region"] != cisRegion {
				t.Errorf("params %v, want log group %s in %s", params, cisLogGroup, cisRegion)
			}
			in := ActionInput{Action: "cloudwatch_create_cis_alarms", Ref: ref, Params: params}
			snap, err := a.Snapshot(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for i, wantChanged := range []bool{true, false} {
				out, err := a.Apply(ctx, in)
				if err != nil || out.Changed != wantChanged {
					t.Fatalf("apply %d: %+v, %v; want changed %v", i+1, out, err, wantChanged)
				}
			}
			if p := violationParams(t, a, ref, svccw.PolicyID); p != nil {
				t.Fatalf("still violating after apply: %v", p)
			}
			for _, n := range tc.wantMissing {
				name := svccw.Name(n)
				var found bool
				for _, f := range cloud.MetricFilters(acct, cisRegion, cisLogGroup) {
					if f.Name == name {
						found = f.Pattern == checks[n].pattern && f.MetricName == checks[n].metric && f.MetricNamespace == svccw.Namespace && f.MetricValue == "1"
					}
				}
				if !found {
					t.Errorf("after apply: no filter %s with the CIS pattern of CloudWatch.%d: %+v", name, n, cloud.MetricFilters(acct, cisRegion, cisLogGroup))
				}
				found = false
				for _, al := range cloud.MetricAlarms(acct, cisRegion) {
					if al.Name == name {
						found = al.MetricName == checks[n].metric && al.Namespace == svccw.Namespace && al.Statistic == "Sum" && al.Period == 300 &&
							al.EvaluationPeriods == 1 && al.Threshold == 1 && al.ComparisonOperator == "GreaterThanOrEqualToThreshold" &&
							slices.Equal(al.AlarmActions, []string{topic})
					}
				}
				if !found {
					t.Errorf("after apply: no alarm %s as CIS asks on %s: %+v", name, checks[n].metric, cloud.MetricAlarms(acct, cisRegion))
				}
			}
			for i := range 2 { // a retried undo leaves it as the first did
				if err := a.Undo(ctx, UndoInput{Ref: ref, Snapshot: snap}); err != nil {
					t.Fatalf("undo %d: %v", i+1, err)
				}
				if got := filterNames(cloud); !slices.Equal(got, tc.wantFilters) {
					t.Errorf("after undo %d: filters %v, want %v", i+1, got, tc.wantFilters)
				}
				if got := alarmNames(cloud); !slices.Equal(got, tc.wantAlarms) {
					t.Errorf("after undo %d: alarms %v, want %v", i+1, got, tc.wantAlarms)
				}
			}
			if p := violationParams(t, a, ref, svccw.PolicyID); p == nil {
				t.Fatal("undo did not restore the violation")
			}
		})
	}
}

// seedCISTrailOn seeds the trail and topic of seedCISTrail on a cloud
// whose log group already exists.
func seedCISTrailOn(t *testing.T, cloud *fakecloud.Cloud) {
	t.Helper()
	const acct = fakecloud.DefaultAccount
	group := "arn:aws:logs:" + cisRegion + ":" + acct + ":log-group:" + cisLogGroup + ":*"
	if err := cloud.SeedTrail(acct, fakecloud.TrailSeed{Name: "org", Region: cisRegion, Bucket: "org-trail", MultiRegion: true, Logging: true,
		LogGroupARN: group, LogRoleARN: "arn:aws:iam::" + acct + ":role/cloudtrail-to-logs"}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.SeedTopic(acct, fakecloud.TopicSeed{Region: cisRegion, Name: cisTopic}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloud.SeedSubscription(acct, fakecloud.SubscriptionSeed{Region: cisRegion, Topic: cisTopic, Protocol: "sqs",
		Endpoint: "arn:aws:sqs:" + cisRegion + ":" + acct + ":oncall"}); err != nil {
		t.Fatal(err)
	}
}

// TestCloudWatchCreateCISAlarmsRefuses: what the action cannot fix is a
// final error that says why, and changes nothing: no trail delivering to
// CloudWatch Logs (rectify creates no trails), a topic nobody confirmed a
// subscription to (the alarms would reach nobody), no topic configured.
func TestCloudWatchCreateCISAlarmsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trail   bool
		subbed  bool
		options map[string]string
		want    string
	}{
		{"no trail", false, true, map[string]string{svccw.TopicOption: "arn:aws:sns:us-east-1:123456789012:" + cisTopic}, "rectify creates no trails"},
		{"topic without subscriber", true, false, map[string]string{svccw.TopicOption: "arn:aws:sns:us-east-1:123456789012:" + cisTopic}, "has no confirmed subscriber"},
		{"no topic configured", true, true, map[string]string{}, "remediation." + svccw.TopicOption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud, a := newFakeActivities(t)
			if tc.trail {
				seedCISTrail(t, cloud, tc.subbed)
			} else if err := cloud.SeedTopic(fakecloud.DefaultAccount, fakecloud.TopicSeed{Region: cisRegion, Name: cisTopic}); err != nil {
				t.Fatal(err)
			}
			a.Options = tc.options
			params := violationParams(t, a, cisRef(), svccw.PolicyID)
			if params == nil {
				t.Fatal("no violation")
			}
			if !tc.trail && params["log_group"] != nil {
				t.Errorf("params.log_group = %v without a trail, want null", params["log_group"])
			}
			_, err := a.Apply(context.Background(), ActionInput{Action: "cloudwatch_create_cis_alarms", Ref: cisRef(), Params: params})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("apply: %v, want an error saying %q", err, tc.want)
			}
			if got := alarmNames(cloud); len(got) != 0 {
				t.Errorf("alarms %v after a refused apply", got)
			}
			if got := filterNames(cloud); len(got) != 0 {
				t.Errorf("filters %v after a refused apply", got)
			}
		})
	}
}
