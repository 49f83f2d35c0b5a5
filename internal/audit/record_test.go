package audit

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/contract"
)

func sample(seq int, state string, at time.Time) Record {
	fsbp, cis := SplitControls([]string{"CIS AWS 5.2", "AWS FSBP EC2.13"})
	return Record{
		Schema: Schema, ViolationID: "0b6c5a3e-run", Seq: seq, State: state, Time: at,
		PolicyID: "aws.ec2.sg_public_admin_ports", Severity: "HIGH", Mode: "enforce",
		Controls: []string{"CIS AWS 5.2", "AWS FSBP EC2.13"}, FSBP: fsbp, CIS: cis,
		Resource: Resource{ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", Type: "aws_security_group", ID: "sg-1"},
		Account:  "123456789012", Region: "us-east-1", Actor: ActorRectify,
		Change:     contract.Change{Source: "cloudtrail", EventName: "AuthorizeSecurityGroupIngress", Actor: "arn:aws:iam::123456789012:user/alice", EventTime: at.Add(-time.Minute)},
		FindingID:  "rectify/aws.ec2.sg_public_admin_ports/arn:aws:ec2:us-east-1:123456789012:security-group/sg-1",
		WorkflowID: "remediation/aws.ec2.sg_public_admin_ports/arn:aws:ec2:us-east-1:123456789012:security-group/sg-1",
		RunID:      "0b6c5a3e-run", DetectedAt: at,
	}
}

// The key is unique per state change and computed from the record alone,
// under the prefix with or without its trailing slash.
func TestKey(t *testing.T) {
	at := time.Date(2026, 3, 1, 23, 59, 0, 0, time.FixedZone("CET", 3600))
	r := sample(3, contract.StateResolved, at)
	want := "audit/2026/03/01/123456789012/0b6c5a3e-run/0003-Resolved.json"
	for _, prefix := range []string{"audit", "audit/"} {
		if got := r.Key(prefix); got != want {
			t.Errorf("Key(%q) = %s, want %s (the day in UTC)", prefix, got, want)
		}
	}
	if got := r.Key(""); got != strings.TrimPrefix(want, "audit/") {
		t.Errorf("Key(\"\") = %s", got)
	}
	other := r
	other.Seq = 4
	if other.Key("audit") == r.Key("audit") {
		t.Error("two state changes share a key")
	}
}

// Marshal gives the same bytes for the same record, whatever the zone its
// times came in (a retried write must find its own earlier write equal).
func TestMarshalIsStable(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 5, time.UTC)
	a, err := sample(0, contract.StateNew, at).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sample(0, contract.StateNew, at.In(time.FixedZone("X", -7*3600))).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the same record marshals differently:\n%s\n%s", a, b)
	}
	var fields map[string]any
	if err := json.Unmarshal(a, &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"violation_id", "policy_id", "fsbp", "cis", "resource", "account", "region", "state", "time",
		"actor", "change", "finding_id", "workflow_id", "run_id", "detected_at"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("record lacks %s: %s", f, a)
		}
	}
	back, err := Parse(sample(0, contract.StateNew, at).Key("p"), a)
	if err != nil || !back.Time.Equal(at) || !slices.Equal(back.FSBP, []string{"EC2.13"}) || !slices.Equal(back.CIS, []string{"5.2"}) {
		t.Errorf("Parse = %+v, %v", back, err)
	}
}

func TestParseRefuses(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	good := sample(1, contract.StateRemediating, at)
	for _, tc := range []struct {
		name string
		edit func(*Record)
		key  string
		want string
	}{
		{"other schema", func(r *Record) { r.Schema = "v0" }, "", "schema"},
		{"no violation", func(r *Record) { r.ViolationID = "" }, "", "violation_id"},
		{"unknown state", func(r *Record) { r.State = "Fixed" }, "", `state "Fixed"`},
		{"no time", func(r *Record) { r.Time = time.Time{} }, "", "time"},
		{"no policy", func(r *Record) { r.PolicyID = "" }, "", "policy_id"},
		{"misplaced", func(*Record) {}, "x/2026/03/01/123456789012/0b6c5a3e-run/0002-Resolved.json", "belongs under"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			tc.edit(&r)
			b, _ := json.Marshal(r)
			key := tc.key
			if key == "" {
				key = "x/some.json"
			}
			_, err := Parse(key, b)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), key) {
				t.Errorf("Parse = %v, want an error naming %s and %q", err, key, tc.want)
			}
		})
	}
	if _, err := Parse("k.json", []byte("{not json")); err == nil || !strings.Contains(err.Error(), "k.json") {
		t.Errorf("Parse of bad JSON = %v", err)
	}
}

func TestControls(t *testing.T) {
	fsbp, cis := SplitControls([]string{"CIS AWS 2.1.4", "AWS FSBP S3.1", "AWS FSBP S3.8", "NIST 800-53 AC-3"})
	if !slices.Equal(fsbp, []string{"S3.1", "S3.8"}) || !slices.Equal(cis, []string{"2.1.4"}) {
		t.Errorf("SplitControls = %v %v", fsbp, cis)
	}
	for _, tc := range []struct {
		control, asked string
		want           bool
	}{
		{"AWS FSBP EC2.13", "EC2.13", true},
		{"AWS FSBP EC2.13", "ec2.13", true},
		{"AWS FSBP EC2.13", "AWS FSBP EC2.13", true},
		{"AWS FSBP EC2.13", "EC2.1", false},
		{"CIS AWS 5.2", "CIS 5.2", true},
		{"CIS AWS 5.2", "5.2", true},
		{"CIS AWS 5.2", "5.20", false},
		{"AWS FSBP S3.1", "5.2", false},
	} {
		if got := MatchControl(tc.control, tc.asked); got != tc.want {
			t.Errorf("MatchControl(%q, %q) = %v, want %v", tc.control, tc.asked, got, tc.want)
		}
	}
	if ControlID("AWS FSBP EC2.13") != "EC2.13" || ControlID("CIS AWS 5.2") != "CIS 5.2" || ControlID("other") != "other" {
		t.Error("ControlID")
	}
}
