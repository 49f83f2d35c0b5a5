package main

import (
	"strings"
	"testing"
)

// `--state awaiting` once printed an empty table while an approval was
// pending: a value is taken in any case or by an unambiguous prefix, and
// anything else is refused with the valid values.
func TestListFilters(t *testing.T) {
	for _, tc := range []struct {
		name      string
		f         listFlags
		wantQuery string // substring
		wantErr   string
	}{
		{name: "prefix", f: listFlags{states: []string{"awaiting"}}, wantQuery: "RectifyState IN ('AwaitingApproval')"},
		{name: "case", f: listFlags{states: []string{"RESOLVED", "rejected"}}, wantQuery: "RectifyState IN ('Resolved', 'Rejected')"},
		{name: "ambiguous", f: listFlags{states: []string{"re"}}, wantErr: `--state "re": ambiguous, could be Rejected, Remediating, Resolved`},
		{name: "unknown", f: listFlags{states: []string{"pending"}}, wantErr: "no such value; valid: New, Suppressed, Notified, AwaitingApproval"},
		{name: "severity", f: listFlags{severity: "crit"}, wantQuery: "RectifySeverity = 'CRITICAL'"},
		{name: "bad severity", f: listFlags{severity: "urgent"}, wantErr: "valid: INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL"},
		{name: "account", f: listFlags{account: "123456789012"}, wantQuery: "RectifyAccount = '123456789012'"},
		{name: "bad account", f: listFlags{account: "1234"}, wantErr: "not a 12-digit account id"},
		{name: "policy", f: listFlags{policy: "aws.s3.public_access_block"}, wantQuery: "RectifyPolicy = 'aws.s3.public_access_block'"},
		{name: "policy typo", f: listFlags{policy: "aws.s3.public_acces_block"}, wantErr: "did you mean aws.s3.public_access_block"},
		{name: "resource", f: listFlags{resource: "arn:aws:s3:::data"}, wantQuery: "RectifyResource = 'arn:aws:s3:::data'"},
		{name: "resource injection", f: listFlags{resource: "arn:x' OR 'a'='a"}, wantErr: "not an ARN"},
		{name: "continued runs hidden", f: listFlags{}, wantQuery: "WorkflowType = 'Remediation' AND ExecutionStatus != 'ContinuedAsNew'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.f.query()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(q, tc.wantQuery) {
				t.Fatalf("query %q (err %v), want it to contain %q", q, err, tc.wantQuery)
			}
		})
	}
}
