package devstack

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/report"
)

// TestAuditTrailDemo plays the demo and reads its audit trail back from the
// fake cloud's S3 through the SDK, as the auditor: one record per state
// change under the configured prefix, each key written once, a retried
// write changing nothing. Then `rectify report` over those records shows
// the demo's counts and times in every format, evidence for EC2.13 names
// the event, decision, fix, verification and finding, and the HTML renders
// in headless Chromium without a console message, checked from its DOM and
// a screenshot.
func TestAuditTrailDemo(t *testing.T) {
	// Bounded: a demo left waiting for a person (no AutoApprove) once hung
	// the whole package until go test's 45-minute timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := newStack(t, func(c *config.Config) {
		c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove}}
	})
	d := &Demo{Temporal: temporalServer.Client, Endpoint: s.endpoint, Suffix: s.suffix, App: s.app, AutoApprove: true, AutoApproveFlag: "test"}
	sum, err := d.Run(ctx, 90*time.Second)
	if err != nil || !sum.OK {
		t.Fatalf("demo: %v %+v", err, sum)
	}
	sgWF, bucketWF := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	saveHistory(t, sgWF, "remediation-enforce-audit")
	saveHistory(t, bucketWF, "remediation-approve-audit")

	// Each state change of each violation, as the workflow tells it.
	want := map[string][]string{}
	for _, id := range []string{sgWF, bucketWF} {
		st, err := queryStatus(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want[id] = append([]string{contract.StateNew}, historyOf(st)...)
	}
	if !slices.Equal(want[sgWF], []string{contract.StateNew, contract.StateRemediating, contract.StateResolved}) ||
		!slices.Equal(want[bucketWF], []string{contract.StateNew, contract.StateAwaitingApproval, contract.StateApproved, contract.StateRemediating, contract.StateResolved}) {
		t.Fatalf("the demo's stories changed: %v", want)
	}

	// The state leads its record by up to a batch window: wait for all 8.
	auditor := s3.NewFromConfig(aws.Config{
		Region: Region, BaseEndpoint: aws.String(s.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(AuditorKeyID, AuditorSecret, ""),
	}, func(o *s3.Options) { o.UsePathStyle = true })
	var keys []string
	waitFor(t, "8 audit records", func() bool {
		keys = listKeys(t, auditor, s.cfg.Audit.Prefix)
		return len(keys) >= 8
	})
	rd := audit.Reader{S3: auditor, Bucket: s.cfg.Audit.Bucket, Prefix: s.cfg.Audit.Prefix}
	records, unreadable, err := rd.Read(ctx, time.Time{})
	if err != nil || len(unreadable) != 0 {
		t.Fatalf("read the trail: %v, unreadable %+v", err, unreadable)
	}
	if len(records) != 8 || len(keys) != 8 {
		t.Fatalf("%d records under %d keys in s3://%s/%s, want 8: one per state change", len(records), len(keys), s.cfg.Audit.Bucket, s.cfg.Audit.Prefix)
	}
	got := map[string][]string{}
	for _, r := range records {
		if r.Seq != len(got[r.WorkflowID]) {
			t.Errorf("%s: record %s has index %d after %v", r.WorkflowID, r.State, r.Seq, got[r.WorkflowID])
		}
		got[r.WorkflowID] = append(got[r.WorkflowID], r.State)
		key := r.Key(s.cfg.Audit.Prefix)
		if !strings.HasPrefix(key, config.DefaultAuditPrefix) || !slices.Contains(keys, key) {
			t.Errorf("record %s/%s is not under its key %s", r.WorkflowID, r.State, key)
		}
		if n := s.cloud.ObjectWrites(s.cfg.Audit.Bucket, key); n != 1 {
			t.Errorf("%s written %d times, want once", key, n)
		}
		if r.Account != Account || r.FindingID != contract.FindingID(r.PolicyID, r.Resource.ARN) || r.RunID == "" || r.ViolationID == "" {
			t.Errorf("record %+v", r)
		}
	}
	for id, states := range want {
		if !slices.Equal(got[id], states) {
			t.Errorf("%s: audited %v, want one record per state change %v", id, got[id], states)
		}
	}
	byState := func(id, state string) audit.Record {
		i := slices.IndexFunc(records, func(r audit.Record) bool { return r.WorkflowID == id && r.State == state })
		if i < 0 {
			t.Fatalf("no %s record of %s", state, id)
		}
		return records[i]
	}
	if a := byState(bucketWF, contract.StateApproved); a.Actor != HumanUser || a.DecidedBy != HumanUser {
		t.Errorf("Approved record: actor %q decided by %q, want %s", a.Actor, a.DecidedBy, HumanUser)
	}
	if n := byState(sgWF, contract.StateNew); n.Actor != "arn:aws:iam::"+Account+":user/"+HumanUser || n.Change.EventName != "AuthorizeSecurityGroupIngress" ||
		!slices.Contains(n.FSBP, "EC2.13") || !slices.Contains(n.CIS, "5.2") {
		t.Errorf("New record of the group: %+v", n)
	}
	if r := byState(sgWF, contract.StateResolved); r.Snapshot == nil || r.Snapshot.SHA256 == "" || r.Remediations != 1 {
		t.Errorf("Resolved record of the group: %+v", r)
	}

	// A retry of a write that went through: same key, same bytes, nothing
	// overwritten.
	first := records[0]
	before, _, _ := s.cloud.Object(s.cfg.Audit.Bucket, first.Key(s.cfg.Audit.Prefix))
	if err := s.app.Activities.RecordAudit(ctx, first); err != nil {
		t.Errorf("retried write: %v", err)
	}
	after, _, _ := s.cloud.Object(s.cfg.Audit.Bucket, first.Key(s.cfg.Audit.Prefix))
	if !bytes.Equal(before, after) || s.cloud.ObjectWrites(s.cfg.Audit.Bucket, first.Key(s.cfg.Audit.Prefix)) != 1 {
		t.Error("a retried write changed the stored record")
	}

	// The dashboard's override rate counts the same decisions.
	scrape := scrape(t, s)
	for _, series := range []string{
		`rectify_decisions_total\{[^}]*decision="auto"[^}]*policy="` + PolicySGAdminPorts + `"[^}]*\} 1\b`,
		`rectify_decisions_total\{[^}]*decision="approve"[^}]*policy="` + PolicyS3PAB + `"[^}]*\} 1\b`,
	} {
		if !regexp.MustCompile(series).MatchString(scrape) {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	checkDemoReport(t, s, records, sgWF, bucketWF)
}

// checkDemoReport builds the demo's report as `rectify report` does (the
// trail, plus Temporal visibility for what runs) and checks every format.
func checkDemoReport(t *testing.T, s *stack, records []audit.Record, sgWF, bucketWF string) {
	ctx := context.Background()
	running, err := report.ListRunning(ctx, temporalServer.Client, Account, "")
	if err != nil {
		t.Fatal(err)
	}
	// The dev server is shared by the package's tests: only this stack's.
	running = slices.DeleteFunc(running, func(r report.Running) bool { return r.WorkflowID != sgWF && r.WorkflowID != bucketWF })
	in := report.Input{Records: records, Running: running, Source: report.Source{Trail: "s3://" + s.cfg.Audit.Bucket + "/" + s.cfg.Audit.Prefix, Temporal: "ok"}}
	now := time.Now()
	opts := report.Options{Now: now, Since: now.Add(-30 * 24 * time.Hour)}
	rep := report.Build(in, opts)

	ttr := func(id string) float64 {
		var detected, resolved time.Time
		for _, r := range records {
			if r.WorkflowID == id && r.State == contract.StateResolved {
				detected, resolved = r.DetectedAt, r.Time
			}
		}
		return resolved.Sub(detected).Seconds()
	}
	row := func(control string) report.Row {
		for _, r := range rep.Rows {
			if r.Control == control && r.Account == Account {
				return r
			}
		}
		t.Fatalf("no row for %s in %+v", control, rep.Rows)
		return report.Row{}
	}
	ec2 := row("AWS FSBP EC2.13")
	if ec2.Detected != 1 || ec2.FixedAutomatically != 1 || ec2.Approved != 0 || ec2.Remediated != 1 || ec2.Open != 0 ||
		ec2.MTTRMean == nil || *ec2.MTTRMean != ttr(sgWF) || *ec2.MTTRP90 != ttr(sgWF) || ec2.ExposureMean == nil || *ec2.ExposureMean < *ec2.MTTRMean {
		t.Errorf("EC2.13 row = %+v, want 1 detected and fixed automatically in %.3fs", ec2, ttr(sgWF))
	}
	s3row := row("AWS FSBP S3.1")
	if s3row.Detected != 1 || s3row.Approved != 1 || s3row.FixedAutomatically != 0 || s3row.Decisions != 1 || s3row.Overrides != 0 ||
		s3row.MTTRMean == nil || *s3row.MTTRMean != ttr(bucketWF) || s3row.Recommendation != report.KeepApproving ||
		!strings.Contains(s3row.Basis, "1 approved, 0 rejected, 0 undone: 1 decision, override rate 0%") {
		t.Errorf("S3.1 row = %+v, want 1 approved in %.3fs and keep approving", s3row, ttr(bucketWF))
	}
	if all := row(report.AllControls); all.Detected != 2 || all.Remediated != 2 || all.Open != 0 {
		t.Errorf("all controls = %+v", all)
	}
	if len(rep.Open) != 0 || rep.Source.OpenFromTemporal != 0 {
		t.Errorf("open = %+v, want none: both are fixed and watched", rep.Open)
	}

	ev := report.BuildEvidence(in, "EC2.13", opts)
	if len(ev.Violations) != 1 {
		t.Fatalf("evidence for EC2.13: %+v", ev)
	}
	it := ev.Violations[0]
	finding := s.finding(ctx, PolicySGAdminPorts, s.sg, shtypes.WorkflowStatusResolved)
	if it.EventName != "AuthorizeSecurityGroupIngress" || it.EventID == "" || it.Decision != report.DecisionAutomatic || it.FixAction != "ec2_revoke_ingress" ||
		it.Verification != report.Verified || it.VerifiedAt == nil || it.FindingID != aws.ToString(finding.Id) || it.SnapshotSHA256 == "" {
		t.Errorf("evidence = %+v, want the event, an automatic decision, the verified fix and finding %s", it, aws.ToString(finding.Id))
	}

	for _, f := range report.Formats {
		var out bytes.Buffer
		if err := rep.Render(&out, f); err != nil {
			t.Fatalf("render %s: %v", f, err)
		}
		text := out.String()
		switch f {
		case report.JSON:
			var back report.Report
			if err := json.Unmarshal(out.Bytes(), &back); err != nil || len(back.Rows) != len(rep.Rows) || back.Rows[0].Control != rep.Rows[0].Control {
				t.Errorf("JSON report does not read back: %v", err)
			}
		case report.CSV:
			lines, err := csv.NewReader(&out).ReadAll()
			if err != nil || len(lines) != len(rep.Rows)+1 || lines[0][0] != "control" {
				t.Errorf("CSV report: %d lines, %v", len(lines), err)
			}
		case report.HTML:
			checkInChromium(t, text, len(rep.MTTR))
		default:
			for _, want := range []string{"AWS FSBP EC2.13", "AWS FSBP S3.1", Account, report.KeepApproving} {
				if !strings.Contains(text, want) {
					t.Errorf("%s report lacks %q", f, want)
				}
			}
		}
	}
}

func listKeys(t *testing.T, c *s3.Client, prefix string) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(AuditBucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list the audit bucket: %v", err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}
