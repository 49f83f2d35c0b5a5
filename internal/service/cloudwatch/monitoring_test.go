package cloudwatch

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rectifyhq/rectify/internal/resource"
)

// TestMonitoringResource: the properties the policy reads, with whether
// an alarm notifies left absent when unknown (never false), and the log
// group the action writes to being the first trail's.
func TestMonitoringResource(t *testing.T) {
	for _, tc := range []struct {
		name      string
		state     State
		logGroup  any // nil: absent
		notifies  []any
		nFilters  int
		nTrailsIn int
	}{
		{name: "no trail", state: State{}, nFilters: 0},
		{
			name: "trail, filter, alarms known and unknown",
			state: State{
				Trails: []Trail{{Name: "org", LogGroup: "CloudTrail/org", LogGroupRegion: "eu-west-1"}, {Name: "zz", LogGroup: "other", LogGroupRegion: "eu-west-1"}},
				Filters: []Filter{{Name: "root", LogGroup: "CloudTrail/org", Pattern: "{x}", Metric: "RootAccountUsage", Namespace: "LogMetrics",
					Alarms: []Alarm{{Name: "a", Notifies: aws.Bool(true)}, {Name: "b", Notifies: aws.Bool(false)}, {Name: "c"}}}},
			},
			logGroup: "CloudTrail/org", notifies: []any{true, false, nil}, nFilters: 1, nTrailsIn: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := MonitoringResource("123456789012", "eu-west-1", tc.state)
			if r.ID != "eu-west-1" || r.ARN != "arn:aws:cloudwatch:eu-west-1:123456789012:cis-monitoring" || r.Type != TypeMonitoring || r.Plane != resource.PlaneLive {
				t.Errorf("identity %s %s %s %s", r.Type, r.ID, r.ARN, r.Plane)
			}
			if got, ok := r.Properties["log_group"]; (tc.logGroup == nil) == ok || (ok && got != tc.logGroup) {
				t.Errorf("log_group = %v (present %v), want %v", got, ok, tc.logGroup)
			}
			filters, _ := r.Properties["filters"].([]any)
			trails, _ := r.Properties["trails"].([]any)
			if len(filters) != tc.nFilters || len(trails) != tc.nTrailsIn {
				t.Fatalf("filters %v trails %v", filters, trails)
			}
			if tc.nFilters == 0 {
				return
			}
			f := filters[0].(map[string]any)
			if f["pattern"] != "{x}" || f["metric"] != "RootAccountUsage" || f["log_group"] != "CloudTrail/org" {
				t.Errorf("filter %v", f)
			}
			var got []any
			for _, a := range f["alarms"].([]any) {
				n, ok := a.(map[string]any)["notifies"]
				if !ok {
					n = nil
				}
				got = append(got, n)
			}
			if !reflect.DeepEqual(got, tc.notifies) {
				t.Errorf("notifies = %v, want %v", got, tc.notifies)
			}
		})
	}
}

// TestNormalizeRoundTrip: the JSON form the fixtures write crosses the
// real normalizer.
func TestNormalizeRoundTrip(t *testing.T) {
	s := State{Trails: []Trail{{Name: "org", LogGroup: "g", LogGroupRegion: "us-east-1"}}, Filters: []Filter{{Name: "f", LogGroup: "g", Pattern: "{p}"}}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Monitoring.Normalize("123456789012", "us-east-1", b)
	if err != nil {
		t.Fatal(err)
	}
	if want := MonitoringResource("123456789012", "us-east-1", s); !reflect.DeepEqual(r, want) {
		t.Errorf("normalize = %+v, want %+v", r, want)
	}
}

func TestLogGroupOf(t *testing.T) {
	for arn, want := range map[string][2]string{
		"arn:aws:logs:eu-west-1:123456789012:log-group:CloudTrail/org:*": {"CloudTrail/org", "eu-west-1"},
		"arn:aws:logs:us-east-1:123456789012:log-group:aws-cloudtrail":   {"aws-cloudtrail", "us-east-1"},
		"arn:aws:logs:us-east-1:123456789012:log-group::*":               {},
		"arn:aws:s3:::bucket": {},
		"":                    {},
	} {
		name, region, ok := logGroupOf(arn)
		if ok != (want[0] != "") || name != want[0] || region != want[1] {
			t.Errorf("logGroupOf(%q) = %q, %q, %v; want %v", arn, name, region, ok, want)
		}
	}
}

// TestSettingParseARN: rectify's setting ARN names the region's setting;
// real CloudWatch alarm ARNs and other services' ARNs do not.
func TestSettingParseARN(t *testing.T) {
	for s, want := range map[string]string{
		"arn:aws:cloudwatch:eu-west-1:123456789012:cis-monitoring":                 "eu-west-1",
		"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:rectify-cis-cloudwatch-1": "",
		"arn:aws:logs:eu-west-1:123456789012:log-group:CloudTrail/org:*":           "",
		"arn:aws:cloudwatch::123456789012:cis-monitoring":                          "",
		"arn:aws:guardduty:eu-west-1:123456789012:detector":                        "",
	} {
		ref, ok := Monitoring.Resolve(s, "", "")
		if want == "" {
			if ok {
				t.Errorf("%s resolved to %+v", s, ref)
			}
			continue
		}
		if !ok || ref.ID != want || ref.ARN != SettingARN("123456789012", want) {
			t.Errorf("%s: %+v, %v; want the %s setting", s, ref, ok, want)
		}
	}
}

// TestChecksOf: params after a JSON round trip (numbers as float64 or
// json.Number) are read; anything malformed is refused, never guessed.
func TestChecksOf(t *testing.T) {
	ref := Monitoring.Setting("123456789012", "eu-west-1")
	good := map[string]any{"control": "CloudWatch.7", "number": json.Number("7"), "metric": "DisableOrDeleteCMK", "pattern": "{p}"}
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   []check
	}{
		{"json number", map[string]any{"checks": []any{good}}, []check{{"CloudWatch.7", 7, "DisableOrDeleteCMK", "{p}"}}},
		{"float", map[string]any{"checks": []any{map[string]any{"control": "CloudWatch.1", "number": 1.0, "metric": "m", "pattern": "{q}"}}}, []check{{"CloudWatch.1", 1, "m", "{q}"}}},
		{"no checks", map[string]any{}, nil},
		{"empty", map[string]any{"checks": []any{}}, nil},
		{"fraction", map[string]any{"checks": []any{map[string]any{"number": 1.5, "metric": "m", "pattern": "p"}}}, nil},
		{"no pattern", map[string]any{"checks": []any{map[string]any{"number": 2, "metric": "m"}}}, nil},
		{"not an object", map[string]any{"checks": []any{"CloudWatch.1"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checksOf(ref, tc.params)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted %v as %v", tc.params, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("checksOf = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestDescribeCreate(t *testing.T) {
	got := describeCreate(map[string]any{"log_group": "CloudTrail/org", "checks": []any{
		map[string]any{"control": "CloudWatch.1"}, map[string]any{"control": "CloudWatch.14"},
	}})
	for _, want := range []string{"CloudWatch.1, CloudWatch.14", "log group CloudTrail/org", "remediation." + TopicOption} {
		if !strings.Contains(got, want) {
			t.Errorf("describe = %q, want it to contain %q", got, want)
		}
	}
	if got := describeCreate(nil); !strings.Contains(got, "the missing CIS metric filters") || !strings.Contains(got, "multi-region trail") {
		t.Errorf("describe without params = %q", got)
	}
}

func TestName(t *testing.T) {
	if Name(7) != "rectify-cis-cloudwatch-7" || Name(14) != "rectify-cis-cloudwatch-14" {
		t.Errorf("names %s %s", Name(7), Name(14))
	}
}
