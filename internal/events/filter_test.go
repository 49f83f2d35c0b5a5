package events

import "testing"

func TestFilterRemediationSession(t *testing.T) {
	ts, err := Parse(fixture(t, "handwritten-eventbridge-ec2-revoke-security-group-ingress-by-remediation.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := Filter{RemediationRoles: []string{"arn:aws:iam::*:role/rectify-remediation"}}.Apply(ts)
	want := "actor is a remediation role arn:aws:sts::123456789012:assumed-role/rectify-remediation/rectify-ec2_revoke_ingress"
	if len(got) != 1 || !got[0].Ignored || got[0].Reason != want {
		t.Fatalf("got %s", lines(t, got))
	}
	if ts[0].Ignored {
		t.Error("Apply changed its input")
	}
	// Everything but the verdict is kept, so the starter can still log
	// which resource our own change touched.
	got[0].Ignored, got[0].Reason = false, ""
	assertTriggers(t, got, ts)
}

func TestFilterApply(t *testing.T) {
	const (
		session = "arn:aws:sts::123456789012:assumed-role/rectify-remediation/rectify-s3_block_public_access"
		pathed  = "arn:aws:iam::123456789012:role/platform/rectify-remediation"
		user    = "arn:aws:iam::123456789012:user/alice"
	)
	tests := []struct {
		name     string
		patterns []string
		actor    string
		issuer   string
		reason   string // "" when the trigger must stay live
	}{
		{"role pattern matches its session", []string{"arn:aws:iam::*:role/rectify-remediation"}, session, "", "actor is a remediation role " + session},
		{"session pattern matches too", []string{"arn:aws:sts::*:assumed-role/rectify-remediation/*"}, session, "", "actor is a remediation role " + session},
		{"issuer with a path, pattern with the path", []string{"arn:aws:iam::*:role/platform/rectify-*"}, user, pathed, "actor is a remediation role " + pathed},
		{"issuer with a path, session matches by name", []string{"arn:aws:iam::123456789012:role/rectify-remediation"}, session, pathed, "actor is a remediation role " + session},
		{"other account", []string{"arn:aws:iam::999999999999:role/rectify-remediation"}, session, "", ""},
		{"other role", []string{"arn:aws:iam::*:role/rectify-remediation"}, "arn:aws:sts::123456789012:assumed-role/rectify-remediation-old/s", "", ""},
		{"prefix is not a match", []string{"arn:aws:iam::*:role/rectify"}, session, "", ""},
		{"a person", []string{"arn:aws:iam::*:role/rectify-remediation"}, user, "", ""},
		{"no patterns", nil, session, "", ""},
		{"empty pattern matches nothing", []string{""}, "", "", ""},
		{"session without a session name", []string{"arn:aws:iam::*:role/tester"}, "arn:aws:sts::123456789012:assumed-role/tester", "", "actor is a remediation role arn:aws:sts::123456789012:assumed-role/tester"},
		{"other partition", []string{"arn:aws-us-gov:iam::*:role/rectify-remediation"}, "arn:aws-us-gov:sts::123456789012:assumed-role/rectify-remediation/x", "", "actor is a remediation role arn:aws-us-gov:sts::123456789012:assumed-role/rectify-remediation/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []Trigger{{Source: "cloudtrail", ResourceID: "b", ActorARN: tt.actor, IssuerARN: tt.issuer}}
			got := Filter{RemediationRoles: tt.patterns}.Apply(in)
			if got[0].Ignored != (tt.reason != "") || got[0].Reason != tt.reason {
				t.Errorf("got ignored=%v reason=%q, want reason %q", got[0].Ignored, got[0].Reason, tt.reason)
			}
		})
	}
}

func TestFilterKeepsEarlierReason(t *testing.T) {
	in := []Trigger{{ActorARN: "arn:aws:sts::1:assumed-role/fixer/s", Ignored: true, Reason: "failed call: AccessDenied"}}
	got := Filter{RemediationRoles: []string{"*"}}.Apply(in)
	if got[0].Reason != "failed call: AccessDenied" {
		t.Errorf("reason = %q", got[0].Reason)
	}
	if (Filter{}).Apply(nil) != nil {
		t.Error("Apply(nil) != nil")
	}
}

func TestRoleOfSession(t *testing.T) {
	tests := map[string]string{
		"arn:aws:sts::123456789012:assumed-role/r/s":       "arn:aws:iam::123456789012:role/r",
		"arn:aws:sts::123456789012:assumed-role/r/s/extra": "arn:aws:iam::123456789012:role/r",
		"arn:aws:sts::123456789012:assumed-role/r":         "arn:aws:iam::123456789012:role/r",
		"arn:aws-cn:sts::123456789012:assumed-role/r/s":    "arn:aws-cn:iam::123456789012:role/r",
		"arn:aws:sts::123456789012:assumed-role/":          "",
		"arn:aws:sts::123456789012:federated-user/bob":     "",
		"arn:aws:iam::123456789012:role/r":                 "",
		"arn:aws:sts::123456789012":                        "",
		"not an arn":                                       "",
		"":                                                 "",
	}
	for arn, want := range tests {
		if got := roleOfSession(arn); got != want {
			t.Errorf("roleOfSession(%q) = %q, want %q", arn, got, want)
		}
	}
}
