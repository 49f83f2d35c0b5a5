package summary

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
)

var bucket = resource.Ref{Type: "aws_s3_bucket", ID: "data", ARN: "arn:aws:s3:::data", Account: "123456789012", Region: "us-east-1"}

func violation(s contract.Settings) contract.Violation {
	return contract.Violation{
		PolicyID: "aws.s3.public_access_block", Title: "S3 public access block", Severity: "HIGH",
		Message: "S3 bucket data has no public access block", Controls: []string{"CIS AWS 2.1.5"},
		Remediation: "s3_block_public_access", Settings: s,
	}
}

func TestRemediationSummary(t *testing.T) {
	const planned = "turn on all four S3 public access block settings"
	for _, tc := range []struct {
		name     string
		settings contract.Settings
		exempt   string
		planned  string
		want     string
	}{
		{"approve", contract.Settings{Mode: contract.ModeApprove}, "", planned,
			"S3 bucket data has no public access block: awaiting approval to turn on all four S3 public access block settings"},
		{"enforce", contract.Settings{Mode: contract.ModeEnforce}, "", planned, "S3 bucket data has no public access block: fixing: " + planned},
		{"observe", contract.Settings{Mode: contract.ModeNotify, Stage: contract.StageObserve, PromotedMode: contract.ModeEnforce}, "", planned,
			"S3 bucket data has no public access block: observe stage: would " + planned + " (on its own once promoted)"},
		{"notify", contract.Settings{Mode: contract.ModeNotify}, "", planned, "S3 bucket data has no public access block: notify only: would " + planned},
		{"no action", contract.Settings{Mode: contract.ModeEnforce}, "", "", "S3 bucket data has no public access block: notify only (no automatic remediation)"},
		{"exempt", contract.Settings{Mode: contract.ModeEnforce}, "public website", planned, "S3 bucket data has no public access block: exempt (public website)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := violation(tc.settings)
			if tc.exempt != "" {
				v.Exemption.Exempt, v.Exemption.Reason = true, tc.exempt
			}
			if got := Remediation(v, tc.planned); got != tc.want {
				t.Errorf("summary = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

// The server refuses a start whose summary is over 400 bytes: a long
// message is clipped on a rune boundary, on one line.
func TestSummaryFitsTheServerLimit(t *testing.T) {
	v := violation(contract.Settings{Mode: contract.ModeApprove})
	v.Message = strings.Repeat("überlang\n", 100)
	got := Remediation(v, "x")
	if len(got) > MaxSummary || !utf8.ValidString(got) || strings.Contains(got, "\n") || !strings.HasSuffix(got, "…") {
		t.Errorf("summary of %d bytes, valid %v: %q", len(got), utf8.ValidString(got), got)
	}
}

func TestRemediationDetails(t *testing.T) {
	v := violation(contract.Settings{Mode: contract.ModeApprove, Approvers: []string{"alice", "S0SEC"}, TimeoutAction: contract.TimeoutReject})
	d := RemediationDetails(RemediationPage{Namespace: "default", WorkflowID: contract.RemediationID(v.PolicyID, bucket.ARN), Ref: bucket, Violation: v,
		Change:  contract.Change{Source: "cloudtrail", EventName: "DeletePublicAccessBlock", Actor: "arn:aws:iam::123456789012:user/bob"},
		Planned: "turn on all four S3 public access block settings"})
	for _, want := range []string{
		"**S3 public access block** (`aws.s3.public_access_block`), severity **HIGH**",
		"CIS AWS 2.1.5", "DeletePublicAccessBlock (cloudtrail) by arn:aws:iam::123456789012:user/bob",
		"**Planned action:** turn on all four", "approvers: alice, S0SEC",
		"rectify approve aws.s3.public_access_block arn:aws:s3:::data --as YOU", "Slack",
		"(/namespaces/default/workflows/evaluate%2Farn:aws:s3:::data)",
		"securityhub/home?region=us-east-1",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
}

func TestFindingURL(t *testing.T) {
	u := FindingURL("eu-west-1", "rectify/aws.s3.public_access_block/arn:aws:s3:::data")
	_, frag, _ := strings.Cut(u, "#/findings?search=")
	once, err := url.QueryUnescape(frag)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := url.QueryUnescape(strings.TrimPrefix(once, "Id="))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1") ||
		twice != `\operator\:EQUALS\:rectify/aws.s3.public_access_block/arn:aws:s3:::data` {
		t.Errorf("url %s decodes to %q", u, twice)
	}
}
