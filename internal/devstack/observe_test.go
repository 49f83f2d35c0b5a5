package devstack

import (
	"context"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/starter"
)

// approvePAB puts the public access block control in approve mode.
func approvePAB(c *config.Config) {
	c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove, ApprovalTimeout: config.Duration(time.Hour)}}
}

// scrapeURL GETs a /metrics endpoint over HTTP, asking for the text format
// as Prometheus does, and parses the exposition.
func scrapeURL(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4;q=0.9,*/*;q=0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse the scrape of %s: %v", url, err)
	}
	return fams
}

// series finds the series of a family with exactly these labels.
func series(f *dto.MetricFamily, labels map[string]string) *dto.Metric {
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if maps.Equal(got, labels) {
			return m
		}
	}
	return nil
}

// TestMetricsScrape drives a violation through approval and a second one
// through enforce mode on the local stack, with the worker's and the
// starter's metrics on separate registries served over HTTP, and reads
// them as Prometheus would: each process exports its own metrics, the
// open-violations gauge follows the state, and the workflow timers carry
// policy and severity only, inside their buckets.
func TestMetricsScrape(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, approvePAB, func(s *stack) {
		s.metrics = metrics.New(metrics.Worker)
		s.starterMetrics = metrics.New(metrics.Starter)
		s.openEvery = 200 * time.Millisecond
	})
	worker := httptest.NewServer(s.metrics.Handler())
	defer worker.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := starter.NewHTTPServer("", nil, s.app.Consumer.Ready, starter.Route{Pattern: "/metrics", Handler: s.starterMetrics.Handler()})
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	workerURL, starterURL := worker.URL+"/metrics", "http://"+ln.Addr().String()+"/metrics"

	pab := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	openOf := func(state string) float64 {
		f := scrapeURL(t, starterURL)["rectify_open_violations"]
		if m := series(f, map[string]string{"state": state, "policy": PolicyS3PAB}); m != nil {
			return m.GetGauge().GetValue()
		}
		return 0
	}
	s.removePAB(ctx)
	s.waitState(pab, contract.StateAwaitingApproval)
	waitFor(t, "the starter to count the approval", func() bool { return openOf(contract.StateAwaitingApproval) == 1 })
	time.Sleep(time.Second) // a measurable wait before the decision
	if _, err := contract.Decide(ctx, temporalServer.Client, pab, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	s.waitState(pab, contract.StateResolved)
	// Resolved, it stays open for its watch window; the approval is gone.
	waitFor(t, "the count to follow the state", func() bool {
		return openOf(contract.StateResolved) == 1 && openOf(contract.StateAwaitingApproval) == 0
	})
	s.openSSH(ctx)
	s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateResolved)

	w, st := scrapeURL(t, workerURL), scrapeURL(t, starterURL)
	for _, n := range []string{"rectify_events_received_total", "rectify_sqs_receive_lag_seconds", "rectify_open_violations", "rectify_dlq_depth"} {
		if w[n] != nil {
			t.Errorf("the worker exports %s, a starter metric", n)
		}
		if st[n] == nil && n != "rectify_dlq_depth" { // the DLQ depth shows once read
			t.Errorf("the starter does not export %s", n)
		}
	}
	for _, n := range []string{"rectify_evaluations_total", "rectify_violations_total", "rectify_remediations_total", "rectify_approval_wait_seconds", "rectify_detection_to_verified_seconds"} {
		if st[n] != nil {
			t.Errorf("the starter exports %s, a worker metric", n)
		}
		if w[n] == nil {
			t.Errorf("the worker does not export %s", n)
		}
	}

	timers := []struct {
		name, policy string
		max          float64 // the observation is at most this long
	}{
		{"rectify_approval_wait_seconds", PolicyS3PAB, 120},
		{"rectify_detection_to_verified_seconds", PolicySGAdminPorts, 120},
	}
	for _, tt := range timers {
		f := w[tt.name]
		if f.GetType() != dto.MetricType_HISTOGRAM || strings.HasPrefix(f.GetHelp(), "Temporal SDK metric") {
			t.Errorf("%s: type %s, help %q", tt.name, f.GetType(), f.GetHelp())
		}
		m := series(f, map[string]string{"policy": tt.policy, "severity": "HIGH"})
		if m == nil {
			t.Errorf("%s: no series labelled with policy %s and severity only: %v", tt.name, tt.policy, f.GetMetric())
			continue
		}
		h := m.GetHistogram()
		if h.GetSampleCount() != 1 || h.GetSampleSum() <= 0 || h.GetSampleSum() > tt.max {
			t.Errorf("%s: %d observations summing %gs", tt.name, h.GetSampleCount(), h.GetSampleSum())
		}
		// Inside a finite bucket, not only +Inf.
		var finite uint64
		for _, b := range h.GetBucket() {
			if !math.IsInf(b.GetUpperBound(), 1) {
				finite = b.GetCumulativeCount()
			}
		}
		if finite != 1 {
			t.Errorf("%s: the observation is not in a finite bucket: %v", tt.name, h.GetBucket())
		}
		t.Logf("%s{policy=%q}: %.2fs", tt.name, tt.policy, h.GetSampleSum())
	}
}

// TestFindingsLeadBack: the findings of an enforced fix and of an approved
// one, read from the fake Security Hub through the SDK, link to the
// workflow and to the control's entry and say who decided.
func TestFindingsLeadBack(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, func(c *config.Config) {
		approvePAB(c)
		c.AWS.ControlsURL = "https://docs.example.com/rectify/controls.md"
	})
	s.openSSH(ctx)
	s.removePAB(ctx)
	sgID, pabID := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	s.waitState(sgID, contract.StateResolved)
	s.waitState(pabID, contract.StateAwaitingApproval)
	if _, err := contract.Decide(ctx, temporalServer.Client, pabID, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	s.waitState(pabID, contract.StateResolved)

	tests := []struct {
		name, workflowID, policy, anchor, fix, decidedBy, note string
		f                                                      shtypes.AwsSecurityFinding
	}{
		{"enforced", sgID, PolicySGAdminPorts, "awsec2sg_public_admin_ports", "revoke", "policy mode enforce", "remediated: ",
			s.finding(ctx, PolicySGAdminPorts, s.sg, shtypes.WorkflowStatusResolved)},
		{"approved", pabID, PolicyS3PAB, "awss3public_access_block", "public access block", HumanUser, "(decided by " + HumanUser + ")",
			s.finding(ctx, PolicyS3PAB, s.bucket, shtypes.WorkflowStatusResolved)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			want := "http://127.0.0.1:8233/namespaces/default/workflows/" + strings.ReplaceAll(tt.workflowID, "/", "%2F")
			if got := aws.ToString(f.SourceUrl); got != want {
				t.Errorf("SourceUrl = %q, want %q", got, want)
			}
			if f.Remediation == nil || f.Remediation.Recommendation == nil {
				t.Fatalf("no Remediation.Recommendation: %+v", f.Remediation)
			}
			rec := f.Remediation.Recommendation
			if got := aws.ToString(rec.Url); got != "https://docs.example.com/rectify/controls.md#"+tt.anchor {
				t.Errorf("Recommendation.Url = %q", got)
			}
			if text := aws.ToString(rec.Text); !strings.Contains(text, tt.fix) || !strings.Contains(text, "Controls: ") {
				t.Errorf("Recommendation.Text = %q, want the fix (%s) and the controls", text, tt.fix)
			}
			if got := f.ProductFields["rectify/DecidedBy"]; got != tt.decidedBy {
				t.Errorf("ProductFields rectify/DecidedBy = %q, want %q", got, tt.decidedBy)
			}
			if f.Note == nil || !strings.Contains(aws.ToString(f.Note.Text), tt.note) {
				t.Errorf("Note = %+v, want it to contain %q", f.Note, tt.note)
			}
		})
	}
}
