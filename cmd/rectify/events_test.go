package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/events"
)

const eventFixtures = "../../internal/events/testdata/cloudtrail/"

func runEvents(t *testing.T, stdin string, args ...string) (stdout string, err error) {
	t.Helper()
	var g globalFlags
	cmd := newEventsCmd(&g)
	g.register(cmd)
	var out, stderr bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&stderr) // cobra's own "Error:" and usage; main silences them
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), err
}

func decodeLines(t *testing.T, out string) []events.Trigger {
	t.Helper()
	var ts []events.Trigger
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var tr events.Trigger
		if err := json.Unmarshal([]byte(line), &tr); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		ts = append(ts, tr)
	}
	return ts
}

func TestEventsParse(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"eventName": "DeleteBucket",`), 0o600); err != nil {
		t.Fatal(err)
	}
	good := eventFixtures + "handwritten-eventbridge-ec2-revoke-security-group-ingress-by-remediation.json"
	logFile := eventFixtures + "logfile-iam-create-admin-user.json"

	out, err := runEvents(t, "", "parse", bad, good, logFile, "--remediation-role", "arn:aws:iam::*:role/rectify-remediation")

	// The bad file is reported by name, the others are still parsed, and
	// the exit code is 2.
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || exitCode(err) != 2 {
		t.Fatalf("err = %#v, want *exitError with code 2", err)
	}
	if want := "events parse: " + bad + ": not JSON: unexpected end of JSON input"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want prefix %q", err, want)
	}
	ts := decodeLines(t, out)
	if len(ts) != 4 {
		t.Fatalf("got %d lines, want 4:\n%s", len(ts), out)
	}
	revoke := ts[0]
	if revoke.ResourceID != "sg-0a1b2c3d4e5f67890" || !revoke.Ignored ||
		revoke.Reason != "actor is a remediation role arn:aws:sts::123456789012:assumed-role/rectify-remediation/rectify-ec2_revoke_ingress" {
		t.Errorf("remediation role not filtered: %+v", revoke)
	}
	if attach := ts[1]; attach.ARN != "arn:aws:iam::123456789012:user/malicious-iam-user" || attach.Ignored {
		t.Errorf("log file record: %+v", attach)
	}
	// The JSON uses the Trigger's tags.
	first := strings.SplitN(out, "\n", 2)[0]
	for _, key := range []string{`"resource_type":"aws_security_group"`, `"event_time":"2025-03-04T10:15:30Z"`, `"issuer_arn":"arn:aws:iam::123456789012:role/rectify-remediation"`} {
		if !strings.Contains(first, key) {
			t.Errorf("line %s lacks %s", first, key)
		}
	}
}

func TestEventsParseStdinAndGzip(t *testing.T) {
	raw, err := os.ReadFile(eventFixtures + "raw-s3-delete-bucket.json")
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(`{"Records":[` + string(raw) + `]}`))
	zw.Close()
	gz := filepath.Join(t.TempDir(), "123456789012_CloudTrail_us-east-2_20161114T1725Z_x.json.gz")
	if err := os.WriteFile(gz, zipped.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := runEvents(t, string(raw), "parse", "-", gz)
	if err != nil {
		t.Fatal(err)
	}
	ts := decodeLines(t, out)
	if len(ts) != 2 || ts[0] != ts[1] || ts[0].ARN != "arn:aws:s3:::my-test-bucket-cross-account" || !ts[0].Deleted {
		t.Errorf("stdin and gzip differ or are wrong:\n%s", out)
	}
}

func TestEventsParseErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.json")
	_, err := runEvents(t, "[]", "parse", missing, "-")
	if exitCode(err) != 2 {
		t.Fatalf("exit code %d, want 2 (%v)", exitCode(err), err)
	}
	for _, want := range []string{
		"events parse: " + missing + ": open: no such file or directory",
		"events parse: -: message is an array, expected an object",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	if _, err := runEvents(t, "", "parse"); err == nil {
		t.Error("parse without files did not fail")
	}
}

// The new kinds of message: a Config notification through SNS, an oversized
// one, a Security Hub import, and rectify's own finding.
func TestEventsParseConfigAndSecurityHub(t *testing.T) {
	const fixtures = "../../internal/events/testdata/"
	out, err := runEvents(t, "", "parse",
		fixtures+"config/sns-ec2-security-group-update.json",
		fixtures+"config/edited-sns-oversized-ec2-security-group.json",
		fixtures+"securityhub/assembled-imported-ec2-default-sg-and-iam-user.json",
		fixtures+"securityhub/handwritten-imported-rectify-own-finding.json")
	if err != nil {
		t.Fatal(err)
	}
	ts := decodeLines(t, out)
	if len(ts) != 5 {
		t.Fatalf("got %d lines, want 5:\n%s", len(ts), out)
	}
	if sg := ts[0]; sg.Source != events.SourceConfig || sg.ARN != "arn:aws:ec2:us-east-1:123456789012:security-group/sg-77707e10" || sg.Ignored || sg.ActorARN != "" {
		t.Errorf("Config change: %+v", sg)
	}
	if o := ts[1].Oversized; o == nil || o.S3Bucket != "config-bucket-123456789012-ohio" || o.ConfigType != "AWS::EC2::SecurityGroup" {
		t.Errorf("oversized: %+v", ts[1])
	}
	if !strings.Contains(out, `"oversized":{"config_type":"AWS::EC2::SecurityGroup"`) {
		t.Errorf("output lacks the oversized reference:\n%s", out)
	}
	if ts[2].ResourceID != "sg-1234123f" || ts[3].ARN != "arn:aws:iam::111111111111:user/sharrtest" || ts[2].Source != events.SourceSecurityHub {
		t.Errorf("Security Hub import: %+v %+v", ts[2], ts[3])
	}
	if own := ts[4]; !own.Ignored || events.ReasonCategory(own.Reason) != events.CategoryOwnFinding {
		t.Errorf("own finding not ignored: %+v", own)
	}
}

func TestEventsParseHelpNamesEveryKind(t *testing.T) {
	cmd := newEventsParseCmd(&globalFlags{})
	for _, want := range []string{"AWS API Call via CloudTrail", "Config Configuration", "Security Hub", "SNS notification", "OversizedConfigurationItemChangeNotification", "log file"} {
		if !strings.Contains(cmd.Long, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// The starter drops events of the config's remediation_roles; `rectify
// events parse -c FILE` must show the same, without --remediation-role.
func TestEventsParseHonoursConfigRoles(t *testing.T) {
	event := eventFixtures + "handwritten-eventbridge-ec2-revoke-security-group-ingress-by-remediation.json"
	cfg := filepath.Join(t.TempDir(), "rectify.yaml")
	if err := os.WriteFile(cfg, []byte("remediation_roles: ['arn:aws:iam::*:role/rectify-remediation']\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		args        []string
		wantIgnored bool
	}{
		{"no config: evaluated", []string{"parse", event}, false},
		{"config roles: ignored", []string{"parse", "--config", cfg, event}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RECTIFY_CONFIG", "")
			out, err := runEvents(t, "", tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			ts := decodeLines(t, out)
			if len(ts) != 1 || ts[0].Ignored != tc.wantIgnored {
				t.Fatalf("triggers = %+v, want one with ignored=%v", ts, tc.wantIgnored)
			}
			if tc.wantIgnored && !strings.Contains(ts[0].Reason, "remediation role") {
				t.Errorf("reason = %q", ts[0].Reason)
			}
		})
	}
}
