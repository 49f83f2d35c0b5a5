package activities

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/policies"
)

// An exemption that cannot be told never lets rectify fix on its own: an
// enforce violation waits for approval, an approval timeout escalates
// instead of remediating, and the message says why. Certain answers keep
// their settings.
func TestViolationUncertainExemption(t *testing.T) {
	const policy = "aws.ec2.sg_public_admin_ports" // default mode enforce
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	refused := errors.New("get tagging: AccessDenied: denied")
	rule := exempt.Rule{ARN: "arn:aws:ec2:*", Policies: []string{"all"}, Reason: "lab", Owner: "net", Expires: "2027-01-01"}
	for _, tc := range []struct {
		name        string
		tags        map[string]string
		tagsErr     error
		rules       []exempt.Rule
		settings    config.PolicySettings
		wantMode    contract.Mode
		wantTimeout contract.TimeoutAction
		wantExempt  bool
		wantReason  string // in the message; "" = message unchanged
	}{
		{name: "no exemption: enforce stays", wantMode: contract.ModeEnforce, wantTimeout: contract.TimeoutReject},
		{name: "malformed exempt-until: approve", tags: map[string]string{exempt.TagExempt: policy, exempt.TagExemptUntil: "next tuesday"},
			wantMode: contract.ModeApprove, wantTimeout: contract.TimeoutReject, wantReason: `rectify:exempt-until="next tuesday" is not an RFC 3339 date`},
		{name: "tags unreadable: approve", tagsErr: refused,
			wantMode: contract.ModeApprove, wantTimeout: contract.TimeoutReject, wantReason: "tags could not be read (get tagging: AccessDenied: denied)"},
		{name: "timeout would remediate: escalates", tagsErr: refused, settings: config.PolicySettings{TimeoutAction: contract.TimeoutRemediate},
			wantMode: contract.ModeApprove, wantTimeout: contract.TimeoutEscalate, wantReason: "tags could not be read"},
		{name: "approve stays approve", tags: map[string]string{exempt.TagExempt: "all", exempt.TagExemptUntil: "2026/12/31"}, settings: config.PolicySettings{Mode: contract.ModeApprove},
			wantMode: contract.ModeApprove, wantTimeout: contract.TimeoutReject, wantReason: "not an RFC 3339 date"},
		{name: "notify stays notify", tagsErr: refused, settings: config.PolicySettings{Mode: contract.ModeNotify},
			wantMode: contract.ModeNotify, wantTimeout: contract.TimeoutReject, wantReason: "tags could not be read"},
		{name: "a config rule still exempts", tagsErr: refused, rules: []exempt.Rule{rule},
			wantMode: contract.ModeEnforce, wantTimeout: contract.TimeoutReject, wantExempt: true},
		{name: "expired exemption is certain: enforce", tags: map[string]string{exempt.TagExempt: "all", exempt.TagExemptUntil: "2026-01-01"},
			wantMode: contract.ModeEnforce, wantTimeout: contract.TimeoutReject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Stage = contract.StageActive // stages are stages_test.go's
			cfg.Exemptions = tc.rules
			cfg.Policies = map[string]config.PolicySettings{policy: tc.settings}
			a := &Activities{Rules: &cfg, Policies: mustPolicies(t), Now: func() time.Time { return now }}
			res := resource.Resource{ARN: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1", Tags: tc.tags, TagsErr: tc.tagsErr}
			got := a.violation(policies.Violation{PolicyID: policy, Remediation: "ec2_revoke_ingress", Message: "sg-1 allows 0.0.0.0/0 on port 22"}, res, "", nil)
			if got.Settings.Mode != tc.wantMode || got.Settings.TimeoutAction != tc.wantTimeout || got.Exemption.Exempt != tc.wantExempt {
				t.Errorf("mode %s, timeout %s, exempt %v; want %s, %s, %v", got.Settings.Mode, got.Settings.TimeoutAction, got.Exemption.Exempt, tc.wantMode, tc.wantTimeout, tc.wantExempt)
			}
			if got.Exemption.Uncertain != (tc.wantReason != "") {
				t.Errorf("exemption %+v, want uncertain %v", got.Exemption, tc.wantReason != "")
			}
			switch {
			case tc.wantReason == "" && got.Message != "sg-1 allows 0.0.0.0/0 on port 22":
				t.Errorf("message %q changed", got.Message)
			case tc.wantReason != "" && (!strings.Contains(got.Message, "approval required") || !strings.Contains(got.Message, tc.wantReason)):
				t.Errorf("message %q does not say approval is required because %q", got.Message, tc.wantReason)
			}
		})
	}
}

// A bucket whose tags AWS refuses to show is still judged, without tags,
// and its violation waits for approval; a throttled tag read is retried
// instead, since the tags will most likely be readable in a moment.
func TestBucketTagReadRefused(t *testing.T) {
	ctx := context.Background()
	const policy = "aws.s3.public_access_block" // default mode enforce
	for _, tc := range []struct {
		name      string
		fault     fakecloud.Fault
		wantError string // "" = judged
	}{
		{"access denied", fakecloud.Fault{Service: "s3", Action: "GetBucketTagging", Code: "AccessDenied", Status: http.StatusForbidden}, ""},
		{"throttled", fakecloud.Fault{Service: "s3", Action: "GetBucketTagging", Code: "SlowDown"}, "SlowDown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newS3Fixture(t, fakecloud.BucketSeed{Name: "tags-refused", Region: "us-east-1", Tags: map[string]string{exempt.TagExempt: "all"}})
			f.cloud.InjectFault(tc.fault)
			out, err := f.a.EvaluateResource(ctx, EvaluateResourceInput{Ref: f.ref})
			if tc.wantError != "" {
				if err == nil || awserr.Code(err) != tc.wantError || tagReadRefused(err) {
					t.Fatalf("EvaluateResource = %+v, %v; want a retryable %s error", out, err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var v *contract.Violation
			for i := range out.Violations {
				if out.Violations[i].PolicyID == policy {
					v = &out.Violations[i]
				}
			}
			if v == nil {
				t.Fatalf("no %s violation in %+v", policy, out.Violations)
			}
			// The rectify:exempt=all tag was never seen: not exempt, not
			// enforced either.
			if v.Exemption.Exempt || !v.Exemption.Uncertain || v.Settings.Mode != contract.ModeApprove ||
				!strings.Contains(v.Message, "tags could not be read") || !strings.Contains(v.Message, "AccessDenied") {
				t.Errorf("violation = mode %s, exemption %+v, message %q; want approve mode because the tags could not be read", v.Settings.Mode, v.Exemption, v.Message)
			}
		})
	}
}

// KMS keys and trails read their tags with a call of their own; a refusal
// of it leaves the resource judged without tags, as for buckets.
func TestTagReadRefusedPerKind(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault fakecloud.Fault
		seed  func(t *testing.T, cloud *fakecloud.Cloud) resource.Ref
	}{
		{"kms key", fakecloud.Fault{Service: "kms", Action: "ListResourceTags", Code: "AccessDeniedException"}, func(t *testing.T, cloud *fakecloud.Cloud) resource.Ref {
			id, err := cloud.SeedKMSKey(fakecloud.DefaultAccount, fakecloud.KMSKeySeed{Tags: map[string]string{exempt.TagExempt: "all"}})
			if err != nil {
				t.Fatal(err)
			}
			return kmsRef(id)
		}},
		{"trail", fakecloud.Fault{Service: "cloudtrail", Action: "ListTags", Code: "AccessDeniedException"}, func(t *testing.T, cloud *fakecloud.Cloud) resource.Ref {
			if err := cloud.SeedTrail(fakecloud.DefaultAccount, fakecloud.TrailSeed{Name: "main", Region: "us-east-1", Bucket: "trail-logs", Tags: map[string]string{exempt.TagExempt: "all"}}); err != nil {
				t.Fatal(err)
			}
			return trailRef("main")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud, a := newFakeActivities(t)
			ref := tc.seed(t, cloud)
			if r, _, err := a.fetch(context.Background(), ref); err != nil || r.TagsErr != nil || r.Tags[exempt.TagExempt] != "all" {
				t.Fatalf("before the fault: tags %v, tags error %v, %v", r.Tags, r.TagsErr, err)
			}
			cloud.InjectFault(tc.fault)
			r, exists, err := a.fetch(context.Background(), ref)
			if err != nil || !exists {
				t.Fatalf("fetch = exists %v, %v; want the resource judged without tags", exists, err)
			}
			if r.Tags != nil || r.TagsErr == nil || awserr.Code(r.TagsErr) != tc.fault.Code {
				t.Errorf("tags %v, tags error %v; want none, and the %s", r.Tags, r.TagsErr, tc.fault.Code)
			}
		})
	}
}
