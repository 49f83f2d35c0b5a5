package activities

import (
	"context"
	"encoding/json"
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

// cisCheck is one of the policy's checks.
type cisCheck struct{ pattern, metric string }

func cisRef() resource.Ref {
	return svccw.Monitoring.Setting(fakecloud.DefaultAccount, cisRegion)
}

// seedCISTrail seeds the region's multi-region, logging trail delivering
// to an empty log group, and an SNS topic with one subscriber, confirmed
// or not.
func seedCISTrail(t *testing.T, cloud *fakecloud.Cloud, subscribed bool) {
	t.Helper()
	if _, err := cloud.SeedLogGroup(fakecloud.DefaultAccount, fakecloud.LogGroupSeed{Region: cisRegion, Name: cisLogGroup}); err != nil {
		t.Fatal(err)
	}
	seedTrailAndTopic(t, cloud, subscribed)
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

// policyChecks reads the 14 checks from the policy: its params on a
// region whose trail's log group has no filter name every check.
func policyChecks(t *testing.T, a *Activities) map[int]cisCheck {
	t.Helper()
	r := svccw.MonitoringResource(fakecloud.DefaultAccount, cisRegion, svccw.State{Trails: []svccw.Trail{{Name: "org", LogGroup: cisLogGroup, LogGroupRegion: cisRegion}}})
	vs, err := a.Policies.EvaluatePolicy(context.Background(), svccw.PolicyID, r)
	if err != nil || len(vs) == 0 {
		t.Fatalf("the policy on a region without filters: %v, %v", vs, err)
	}
	b, _ := json.Marshal(vs[0].Params)
	var params map[string]any
	if err := json.Unmarshal(b, &params); err != nil {
		t.Fatal(err)
	}
	checks, _ := cisMissing(t, params)
	if len(checks) != 14 {
		t.Fatalf("a region with no filter misses %d checks, want 14", len(checks))
	}
	return checks
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
			a.Options = map[string]string{svccw.TopicOption: "arn:aws:sns:{region}:{account}:" + cisTopic}
			checks := policyChecks(t, a)
			topic := "arn:aws:sns:" + cisRegion + ":" + acct + ":" + cisTopic
			if tc.seed != nil {
				tc.seed(t, cloud, topic, checks) // the log group with its filters first
				seedTrailAndTopic(t, cloud, true)
			} else {
				seedCISTrail(t, cloud, true)
			}
			// Undo must leave exactly these.
			beforeFilters, beforeAlarms := filterNames(cloud), alarmNames(cloud)

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
				if got := filterNames(cloud); !slices.Equal(got, beforeFilters) {
					t.Errorf("after undo %d: filters %v, want %v", i+1, got, beforeFilters)
				}
				if got := alarmNames(cloud); !slices.Equal(got, beforeAlarms) {
					t.Errorf("after undo %d: alarms %v, want %v", i+1, got, beforeAlarms)
				}
			}
			if p := violationParams(t, a, ref, svccw.PolicyID); p == nil {
				t.Fatal("undo did not restore the violation")
			}
		})
	}
}

// seedTrailAndTopic seeds the trail and topic of seedCISTrail on a cloud
// whose log group already exists.
func seedTrailAndTopic(t *testing.T, cloud *fakecloud.Cloud, subscribed bool) {
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
		Endpoint: "arn:aws:sqs:" + cisRegion + ":" + acct + ":oncall", Pending: !subscribed}); err != nil {
		t.Fatal(err)
	}
}

// TestCloudWatchCreateCISAlarmsRefuses: what the action cannot fix is a
// final error that says why, and changes nothing: no trail delivering to
// CloudWatch Logs (rectify creates no trails), a trail whose log group is
// gone (nor log groups), a topic nobody confirmed a subscription to (the
// alarms would reach nobody), no topic configured.
func TestCloudWatchCreateCISAlarmsRefuses(t *testing.T) {
	const acct = fakecloud.DefaultAccount
	topicOption := map[string]string{svccw.TopicOption: "arn:aws:sns:us-east-1:" + acct + ":" + cisTopic}
	justTopic := func(t *testing.T, cloud *fakecloud.Cloud) {
		if err := cloud.SeedTopic(acct, fakecloud.TopicSeed{Region: cisRegion, Name: cisTopic}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		seed    func(t *testing.T, cloud *fakecloud.Cloud)
		options map[string]string
		want    string
	}{
		{"no trail", justTopic, topicOption, "rectify creates no trails"},
		{"log group gone", func(t *testing.T, cloud *fakecloud.Cloud) {
			justTopic(t, cloud)
			if err := cloud.SeedTrail(acct, fakecloud.TrailSeed{Name: "org", Region: cisRegion, Bucket: "org-trail", MultiRegion: true, Logging: true,
				LogGroupARN: "arn:aws:logs:" + cisRegion + ":" + acct + ":log-group:gone:*", LogRoleARN: "arn:aws:iam::" + acct + ":role/cloudtrail-to-logs"}); err != nil {
				t.Fatal(err)
			}
			if _, err := cloud.SeedSubscription(acct, fakecloud.SubscriptionSeed{Region: cisRegion, Topic: cisTopic, Protocol: "sqs", Endpoint: "arn:aws:sqs:" + cisRegion + ":" + acct + ":oncall"}); err != nil {
				t.Fatal(err)
			}
		}, topicOption, "rectify creates no log groups"},
		{"topic without subscriber", func(t *testing.T, cloud *fakecloud.Cloud) { seedCISTrail(t, cloud, false) }, topicOption, "has no confirmed subscriber"},
		{"no topic configured", func(t *testing.T, cloud *fakecloud.Cloud) { seedCISTrail(t, cloud, true) }, map[string]string{}, "remediation." + svccw.TopicOption},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud, a := newFakeActivities(t)
			tc.seed(t, cloud)
			a.Options = tc.options
			params := violationParams(t, a, cisRef(), svccw.PolicyID)
			if params == nil {
				t.Fatal("no violation")
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

// TestCISMonitoringReadsTrails: the setting of a region reads the
// multi-region trails it sees, its own and the shadows of other regions'
// trails, that are logging into a CloudWatch Logs log group; a
// single-region trail, a stopped trail and a trail without a log group
// give the region no log group (the policy then says no trail delivers).
func TestCISMonitoringReadsTrails(t *testing.T) {
	const acct = fakecloud.DefaultAccount
	group := "arn:aws:logs:us-east-1:" + acct + ":log-group:" + cisLogGroup + ":*"
	for _, tc := range []struct {
		name, region string
		trail        fakecloud.TrailSeed
		want         any // the log group; nil: absent
	}{
		{"multi-region, logging, at home", "us-east-1", fakecloud.TrailSeed{MultiRegion: true, Logging: true, LogGroupARN: group}, cisLogGroup},
		{"the shadow of another region's trail", "eu-west-1", fakecloud.TrailSeed{MultiRegion: true, Logging: true, LogGroupARN: group}, cisLogGroup},
		{"single-region", "us-east-1", fakecloud.TrailSeed{Logging: true, LogGroupARN: group}, nil},
		{"stopped", "us-east-1", fakecloud.TrailSeed{MultiRegion: true, LogGroupARN: group}, nil},
		{"no log group", "us-east-1", fakecloud.TrailSeed{MultiRegion: true, Logging: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud, a := newFakeActivities(t)
			if _, err := cloud.SeedLogGroup(acct, fakecloud.LogGroupSeed{Region: "us-east-1", Name: cisLogGroup}); err != nil {
				t.Fatal(err)
			}
			tr := tc.trail
			tr.Name, tr.Region, tr.Bucket = "org", "us-east-1", "org-trail"
			if tr.LogGroupARN != "" {
				tr.LogRoleARN = "arn:aws:iam::" + acct + ":role/cloudtrail-to-logs"
			}
			if err := cloud.SeedTrail(acct, tr); err != nil {
				t.Fatal(err)
			}
			r, ok, err := svccw.Monitoring.Fetch(context.Background(), a.env(), svccw.Monitoring.Setting(acct, tc.region))
			if err != nil || !ok {
				t.Fatalf("fetch: %v, %v", ok, err)
			}
			got, present := r.Properties["log_group"]
			if (tc.want == nil) == present || (present && got != tc.want) {
				t.Errorf("log_group = %v (present %v), want %v; properties %v", got, present, tc.want, r.Properties)
			}
			if tc.want != nil {
				trails := r.Properties["trails"].([]any)
				if region := trails[0].(map[string]any)["log_group_region"]; region != "us-east-1" {
					t.Errorf("the log group's region = %v, want the trail's home us-east-1", region)
				}
			}
		})
	}
}
