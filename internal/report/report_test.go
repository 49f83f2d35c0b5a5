package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/audit"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
	sgPol = "aws.ec2.sg_public_admin_ports"
	s3Pol = "aws.s3.public_access_block"
)

var (
	sgControls = []string{"CIS AWS 5.2", "AWS FSBP EC2.13"}
	s3Controls = []string{"CIS AWS 2.1.4", "AWS FSBP S3.1"}
	now        = time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
)

// step is one state change after the detection.
type step struct {
	state  string
	after  time.Duration // since detection
	actor  string
	reason string
	ex     *audit.Exemption
}

// story writes the records of one violation detected at at, whose change
// happened lead before.
func story(id, policy, account, mode string, at time.Time, lead time.Duration, steps ...step) []audit.Record {
	controls := sgControls
	if policy == s3Pol {
		controls = s3Controls
	}
	fsbp, cis := audit.SplitControls(controls)
	arn := "arn:aws:ec2:us-east-1:" + account + ":security-group/sg-" + id
	base := audit.Record{
		Schema: audit.Schema, ViolationID: "run-" + id, PolicyID: policy, Mode: mode, Controls: controls, FSBP: fsbp, CIS: cis,
		Resource: audit.Resource{ARN: arn, Type: "aws_security_group"}, Account: account, Region: "us-east-1",
		Change:    contract.Change{Source: "cloudtrail", EventName: "AuthorizeSecurityGroupIngress", EventID: "ev-" + id, Actor: "arn:aws:iam::" + account + ":user/dev", EventTime: at.Add(-lead)},
		FindingID: "rectify/" + policy + "/" + arn, WorkflowID: "remediation/" + policy + "/" + arn, RunID: "run-" + id, DetectedAt: at,
		Action: "ec2_revoke_ingress",
	}
	first := base
	first.State, first.Time, first.Actor = contract.StateNew, at, base.Change.Actor
	out := []audit.Record{first}
	for i, s := range steps {
		r := base
		r.Seq, r.State, r.Time, r.Actor, r.Reason, r.Exemption = i+1, s.state, at.Add(s.after), cmpOr(s.actor, audit.ActorRectify), s.reason, s.ex
		if s.state == contract.StateResolved {
			r.Detail = "revoked sgr-1"
			r.Snapshot = &audit.Snapshot{Ref: "temporal:" + base.WorkflowID + "/run-" + id + "#snapshots[0]", Action: "ec2_revoke_ingress", SHA256: "abc"}
		}
		out = append(out, r)
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func fixed(d time.Duration) []step {
	return []step{{state: contract.StateRemediating, after: time.Second}, {state: contract.StateResolved, after: d}}
}

func approvedBy(user string, d time.Duration) []step {
	return []step{{state: contract.StateAwaitingApproval, after: time.Second}, {state: contract.StateApproved, after: d / 2, actor: user},
		{state: contract.StateRemediating, after: d/2 + time.Second}, {state: contract.StateResolved, after: d}}
}

// world is a month of violations in two accounts.
func world() Input {
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	var rs []audit.Record
	add := func(r []audit.Record) { rs = append(rs, r...) }
	add(story("1", sgPol, acctA, "enforce", day(20), 5*time.Second, fixed(10*time.Second)...))
	add(story("2", sgPol, acctA, "enforce", day(10), 5*time.Second, fixed(30*time.Second)...))
	add(story("3", sgPol, acctA, "enforce", day(5), 0, fixed(50*time.Second)...))
	add(story("4", sgPol, acctB, "enforce", day(4), 20*time.Second, append(fixed(20*time.Second),
		step{state: contract.StateUndone, after: time.Hour, actor: "bob", reason: "breaks the build agents",
			ex: &audit.Exemption{Source: audit.ExemptByUndo, Reason: "breaks the build agents", Owner: "bob", Until: now.Add(5 * 24 * time.Hour).Format(time.RFC3339)}})...))
	add(story("5", s3Pol, acctA, "approve", day(9), time.Minute, approvedBy("alice", 2*time.Hour)...))
	add(story("6", s3Pol, acctA, "approve", day(8), time.Minute,
		step{state: contract.StateAwaitingApproval, after: time.Second}, step{state: contract.StateRejected, after: time.Hour, actor: "bob", reason: "public website"}))
	add(story("7", s3Pol, acctA, "approve", day(3), time.Minute,
		step{state: contract.StateAwaitingApproval, after: time.Second}, step{state: contract.StateExpired, after: 24 * time.Hour, actor: audit.ActorTimeout}))
	add(story("8", sgPol, acctA, "enforce", day(2), time.Minute,
		step{state: contract.StateSuppressed, after: time.Second, ex: &audit.Exemption{Source: audit.ExemptByTag, Reason: "tag rectify:exempt=all until " + now.AddDate(0, 0, 60).Format("2006-01-02"), Until: now.AddDate(0, 0, 60).Format("2006-01-02")}}))
	add(story("9", s3Pol, acctA, "approve", day(2), time.Minute,
		step{state: contract.StateAwaitingApproval, after: time.Second}, step{state: contract.StateClosed, after: time.Minute, actor: "arn:aws:iam::111111111111:user/ops"}))
	add(story("10", sgPol, acctA, "enforce", day(45), time.Minute, fixed(time.Second)...)) // before the period
	add(story("11", sgPol, acctA, "enforce", day(1), time.Minute,
		append(fixed(40*time.Second), step{state: contract.StateEscalated, after: 10 * time.Minute})...))
	return Input{
		Records: rs,
		Rules: []exempt.Rule{{ARN: "arn:aws:ec2:*:111111111111:ebs-encryption-by-default", Policies: []string{"aws.ec2.ebs_default_encryption"},
			Reason: "legacy AMIs", Owner: "platform-team", Expires: now.AddDate(0, 0, 10).Format("2006-01-02")}},
		Source: Source{Trail: "s3://audit/rectify/audit/", Temporal: "ok"},
	}
}

func findRow(t *testing.T, rep Report, control, account string) Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Control == control && r.Account == account {
			return r
		}
	}
	t.Fatalf("no row %s / %s in %d rows", control, account, len(rep.Rows))
	return Row{}
}

func secs(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func TestBuild(t *testing.T) {
	rep := Build(world(), Options{Now: now, Since: now.AddDate(0, 0, -30)})

	ec2 := findRow(t, rep, "AWS FSBP EC2.13", acctA)
	// Violations 1, 2, 3, 8 and 11 in account A (10 is before the period).
	if ec2.Detected != 5 || ec2.FixedAutomatically != 4 || ec2.Approved != 0 || ec2.Suppressed != 1 || ec2.Escalated != 1 ||
		ec2.Remediated != 4 || ec2.Open != 1 || ec2.Mode != "enforce" || ec2.Policies != sgPol {
		t.Errorf("EC2.13 in A = %+v", ec2)
	}
	// Fixes of 10s, 30s, 50s, 40s: mean 32.5s, p50 20→ nearest rank 30s, p90 50s.
	if secs(ec2.MTTRMean) != 32.5 || secs(ec2.MTTRP50) != 30 || secs(ec2.MTTRP90) != 50 {
		t.Errorf("EC2.13 in A MTTR mean/p50/p90 = %v/%v/%v, want 32.5/30/50", secs(ec2.MTTRMean), secs(ec2.MTTRP50), secs(ec2.MTTRP90))
	}
	// Exposure from the event: 15s, 35s, 50s (no lead), 100s.
	if secs(ec2.ExposureMean) != 50 || secs(ec2.ExposureMax) != 100 {
		t.Errorf("EC2.13 in A exposure mean/max = %v/%v, want 50/100", secs(ec2.ExposureMean), secs(ec2.ExposureMax))
	}
	if ec2.Decisions != 4 || ec2.Overrides != 0 || secs(ec2.OverrideRate) != 0 || ec2.Recommendation != "" {
		t.Errorf("EC2.13 in A decisions = %+v, want 4 automatic, no overrides, no recommendation (enforce)", ec2)
	}

	undone := findRow(t, rep, "AWS FSBP EC2.13", acctB)
	if undone.Detected != 1 || undone.Undone != 1 || undone.FixedAutomatically != 1 || undone.Overrides != 1 || secs(undone.OverrideRate) != 1 ||
		secs(undone.ExposureMean) != 40 {
		t.Errorf("EC2.13 in B = %+v", undone)
	}
	// Two accounts: the control's total row adds them up.
	if all := findRow(t, rep, "AWS FSBP EC2.13", AllAccounts); all.Detected != 6 || all.Undone != 1 || all.Remediated != 5 {
		t.Errorf("EC2.13 in all accounts = %+v", all)
	}

	s3 := findRow(t, rep, "AWS FSBP S3.1", acctA)
	if s3.Detected != 4 || s3.Approved != 1 || s3.Rejected != 1 || s3.Expired != 1 || s3.ClosedByOthers != 1 || s3.FixedAutomatically != 0 ||
		s3.Remediated != 1 || secs(s3.MTTRMean) != 7200 || secs(s3.ExposureMean) != 7260 || s3.Open != 2 {
		t.Errorf("S3.1 in A = %+v", s3)
	}
	if s3.Decisions != 2 || s3.Overrides != 1 || secs(s3.OverrideRate) != 0.5 || s3.Recommendation != KeepApproving ||
		!strings.Contains(s3.Basis, "1 approved, 1 rejected, 0 undone: 2 decisions, override rate 50%") {
		t.Errorf("S3.1 recommendation = %q (%s), decisions %d overrides %d", s3.Recommendation, s3.Basis, s3.Decisions, s3.Overrides)
	}
	if tot := findRow(t, rep, AllControls, acctA); tot.Detected != 9 || tot.Approved != 1 || tot.Remediated != 5 {
		t.Errorf("all controls in A = %+v", tot)
	}

	// Open: the expired (7), the rejected (6), the escalated (11), oldest
	// first; not the closed, suppressed or fixed ones.
	var open []string
	for _, o := range rep.Open {
		open = append(open, o.State)
	}
	if !slices.Equal(open, []string{contract.StateRejected, contract.StateExpired, contract.StateEscalated}) {
		t.Errorf("open = %v", open)
	}
	if o := rep.Open[1]; o.AgeSeconds != (3*24*time.Hour).Seconds() || o.Policy != s3Pol || o.From != fromAudit {
		t.Errorf("open expired = %+v, want 3 days old", o)
	}

	// Exemptions: the undo's (5 days left: soon), the config rule (9 days
	// and a half: soon), the tag's (59 and a half).
	var ex []string
	for _, e := range rep.Exemptions {
		ex = append(ex, fmt.Sprintf("%s:%d:%v", e.Source, *e.DaysLeft, e.ExpiringSoon))
	}
	if want := []string{"undo:5:true", "config:9:true", "tag:59:false"}; !slices.Equal(ex, want) {
		t.Errorf("exemptions = %v, want %v", ex, want)
	}
	if e := rep.Exemptions[1]; e.Owner != "platform-team" || e.Reason != "legacy AMIs" {
		t.Errorf("config exemption = %+v", e)
	}
	if len(rep.MTTR) == 0 || rep.MTTR[len(rep.MTTR)-1].Fixes != 1 {
		t.Errorf("MTTR series = %+v", rep.MTTR)
	}
}

func TestBuildFilters(t *testing.T) {
	rep := Build(world(), Options{Now: now, Since: now.AddDate(0, 0, -30), Account: acctB})
	if len(rep.Rows) != 3 || findRow(t, rep, AllControls, acctB).Detected != 1 {
		t.Errorf("account B rows = %+v", rep.Rows)
	}
	rep = Build(world(), Options{Now: now, Since: now.AddDate(0, 0, -30), Policy: s3Pol})
	if findRow(t, rep, AllControls, acctA).Detected != 4 || len(rep.Exemptions) != 0 {
		t.Errorf("policy filter: %+v, exemptions %+v", rep.Rows, rep.Exemptions)
	}
	rep = Build(world(), Options{Now: now, Since: now.AddDate(0, 0, -60)})
	if findRow(t, rep, "AWS FSBP EC2.13", acctA).Detected != 6 {
		t.Error("60 days do not include the violation of 45 days ago")
	}
}

// Temporal's state leads the record: a running workflow's state stands
// for its violation's, and one the trail does not hold yet is open too.
func TestBuildWithRunning(t *testing.T) {
	in := world()
	in.Running = []Running{
		{WorkflowID: "remediation/" + s3Pol + "/arn:aws:ec2:us-east-1:111111111111:security-group/sg-7", FirstRunID: "run-7", State: contract.StateResolved, Policy: s3Pol, Account: acctA},
		{WorkflowID: "remediation/new", State: contract.StateAwaitingApproval, Policy: s3Pol, Account: acctA, Resource: "arn:x", Started: now.Add(-time.Hour)},
		{WorkflowID: "remediation/watching", State: contract.StateResolved, Policy: sgPol, Account: acctA, Started: now.Add(-time.Hour)},
	}
	rep := Build(in, Options{Now: now, Since: now.AddDate(0, 0, -30)})
	var got []string
	for _, o := range rep.Open {
		got = append(got, o.WorkflowID+"@"+o.From)
	}
	if len(rep.Open) != 3 || rep.Source.OpenFromTemporal != 1 || !slices.Contains(got, "remediation/new@temporal") || slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "sg-7") }) {
		t.Errorf("open = %v (from Temporal %d), want the expired one resolved meanwhile and the new one added", got, rep.Source.OpenFromTemporal)
	}
}

// A control ready to enforce: enough decisions, few overrides.
func TestRecommendation(t *testing.T) {
	var rs []audit.Record
	for i := range 6 {
		rs = append(rs, story(fmt.Sprint("a", i), s3Pol, acctA, "approve", now.Add(-time.Duration(i+1)*time.Hour), 0, approvedBy("alice", time.Minute)...)...)
	}
	rep := Build(Input{Records: rs}, Options{Now: now})
	if r := findRow(t, rep, "AWS FSBP S3.1", acctA); r.Recommendation != ReadyToEnforce || !strings.Contains(r.Basis, "6 approved, 0 rejected, 0 undone: 6 decisions, override rate 0%") {
		t.Errorf("6 approvals: %q %q", r.Recommendation, r.Basis)
	}
	rep = Build(Input{Records: rs[:len(rs)-5*5]}, Options{Now: now}) // one approval
	if r := findRow(t, rep, "AWS FSBP S3.1", acctA); r.Recommendation != KeepApproving || !strings.Contains(r.Basis, "fewer than the 5 decisions needed") {
		t.Errorf("1 approval: %q %q", r.Recommendation, r.Basis)
	}
	notify := story("n", sgPol, acctA, "notify", now.Add(-time.Hour), 0, step{state: contract.StateNotified, after: time.Second})
	rep = Build(Input{Records: notify}, Options{Now: now})
	if r := findRow(t, rep, "AWS FSBP EC2.13", acctA); r.Recommendation != KeepApproving || r.Notified != 1 || !strings.Contains(r.Basis, "notify mode") {
		t.Errorf("notify: %+v", r)
	}
}

func TestQuantile(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		q    float64
		want float64
	}{
		{[]float64{5}, 0.5, 5},
		{[]float64{5}, 0.9, 5},
		{[]float64{1, 2, 3, 4}, 0.5, 2},
		{[]float64{4, 3, 2, 1}, 0.9, 4},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.5, 5},
	} {
		if got := quantile(tc.xs, tc.q); got != tc.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", tc.xs, tc.q, got, tc.want)
		}
	}
}

// The CSV has the columns of the JSON rows, in their order, and one line
// per row with the same values.
func TestCSVFollowsJSON(t *testing.T) {
	rep := Build(world(), Options{Now: now, Since: now.AddDate(0, 0, -30)})
	var js, cs bytes.Buffer
	if err := rep.Render(&js, JSON); err != nil {
		t.Fatal(err)
	}
	if err := rep.Render(&cs, CSV); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(doc.Rows)+1 {
		t.Fatalf("%d CSV lines for %d JSON rows", len(lines), len(doc.Rows))
	}
	for i, raw := range doc.Rows {
		keys, values := jsonObject(t, raw)
		if !slices.Equal(lines[0], keys) {
			t.Fatalf("CSV header %v, JSON keys %v", lines[0], keys)
		}
		if !slices.Equal(lines[i+1], values) {
			t.Errorf("row %d: CSV %v, JSON %v", i, lines[i+1], values)
		}
	}
	checkEvidenceCSV(t)
}

func checkEvidenceCSV(t *testing.T) {
	ev := BuildEvidence(world(), "EC2.13", Options{Now: now, Since: now.AddDate(0, 0, -30)})
	var js, cs bytes.Buffer
	if err := ev.Render(&js, JSON); err != nil {
		t.Fatal(err)
	}
	if err := ev.Render(&cs, CSV); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Violations []json.RawMessage `json:"violations"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(&cs).ReadAll()
	if err != nil || len(lines) != len(doc.Violations)+1 {
		t.Fatalf("evidence CSV: %d lines (%v) for %d violations", len(lines), err, len(doc.Violations))
	}
	keys, values := jsonObject(t, doc.Violations[0])
	if !slices.Equal(lines[0], keys) || !slices.Equal(lines[1], values) {
		t.Errorf("evidence CSV %v / %v, JSON %v / %v", lines[0], lines[1], keys, values)
	}
}

// jsonObject reads an object's keys in order and its values as CSV writes
// them (strings bare, null empty).
func jsonObject(t *testing.T, raw json.RawMessage) (keys, values []string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		switch x := v.(type) {
		case nil:
			values = append(values, "")
		case string:
			if ts, err := time.Parse(time.RFC3339Nano, x); err == nil {
				x = ts.UTC().Format(time.RFC3339Nano)
			}
			values = append(values, x)
		default:
			values = append(values, fmt.Sprint(x))
		}
	}
	return keys, values
}

func TestEvidence(t *testing.T) {
	ev := BuildEvidence(world(), "EC2.13", Options{Now: now, Since: now.AddDate(0, 0, -30)})
	if !slices.Equal(ev.Matched, []string{"AWS FSBP EC2.13"}) || len(ev.Violations) != 6 {
		t.Fatalf("evidence matched %v with %d violations, want 6 of AWS FSBP EC2.13", ev.Matched, len(ev.Violations))
	}
	var decisions []string
	for _, it := range ev.Violations {
		decisions = append(decisions, it.Decision+"/"+it.Verification)
	}
	want := []string{
		DecisionAutomatic + "/" + Verified, DecisionAutomatic + "/" + Verified, DecisionAutomatic + "/" + Verified,
		DecisionAutomatic + "/" + Verified, DecisionExempt + "/" + VerifyNotNeeded, DecisionAutomatic + "/" + Verified,
	}
	if !slices.Equal(decisions, want) {
		t.Errorf("decisions = %v, want %v", decisions, want)
	}
	first := ev.Violations[0]
	if first.EventName != "AuthorizeSecurityGroupIngress" || first.EventID != "ev-1" || first.FixAction != "ec2_revoke_ingress" ||
		first.SnapshotRef == "" || first.VerifiedAt == nil || first.FindingID == "" || first.FinalState != contract.StateResolved {
		t.Errorf("first item = %+v", first)
	}
	if undone := ev.Violations[3]; undone.FinalState != contract.StateUndone || !strings.Contains(undone.FixDetail, "revoked sgr-1") {
		t.Errorf("undone item = %+v", undone)
	}
	s3 := BuildEvidence(world(), "cis 2.1.4", Options{Now: now, Since: now.AddDate(0, 0, -30)})
	var kinds []string
	for _, it := range s3.Violations {
		kinds = append(kinds, it.Decision)
	}
	if !slices.Equal(kinds, []string{DecisionApproved, DecisionRejected, DecisionExpired, DecisionClosed}) {
		t.Errorf("CIS 2.1.4 decisions = %v", kinds)
	}
	if r := s3.Violations[1]; r.DecidedBy != "bob" || r.DecisionReason != "public website" || r.Verification != VerifyNotNeeded {
		t.Errorf("rejected item = %+v", r)
	}
	if none := BuildEvidence(world(), "IAM.1", Options{Now: now}); len(none.Violations) != 0 || len(none.Matched) != 0 {
		t.Errorf("IAM.1 = %+v", none)
	}
}

// Every format renders; the HTML loads nothing from outside.
func TestRenderFormats(t *testing.T) {
	rep := Build(world(), Options{Now: now, Since: now.AddDate(0, 0, -30)})
	ev := BuildEvidence(world(), "EC2.13", Options{Now: now, Since: now.AddDate(0, 0, -30)})
	for _, f := range Formats {
		var out, eout bytes.Buffer
		if err := rep.Render(&out, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := ev.Render(&eout, f); err != nil {
			t.Fatalf("evidence %s: %v", f, err)
		}
		s := out.String()
		switch f {
		case Text, Markdown:
			for _, want := range []string{"AWS FSBP EC2.13", "33s", KeepApproving, "legacy AMIs", "Rejected"} {
				if !strings.Contains(s, want) {
					t.Errorf("%s report lacks %q", f, want)
				}
			}
			if !strings.Contains(eout.String(), "AuthorizeSecurityGroupIngress") || !strings.Contains(eout.String(), "ev-1") {
				t.Errorf("%s evidence lacks the event", f)
			}
		case HTML:
			for _, want := range []string{"<svg", "<polyline", ChartColor, "Content-Security-Policy", "AWS FSBP S3.1", "keep approving"} {
				if !strings.Contains(s, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			for _, bad := range []string{"<script", "<link", " src=", "url(", "@import", "https://"} {
				if strings.Contains(s, bad) || strings.Contains(eout.String(), bad) {
					t.Errorf("HTML holds %q: it must be self-contained", bad)
				}
			}
		}
	}
	if _, err := ParseFormat("pdf"); err == nil {
		t.Error("ParseFormat(pdf) = nil error")
	}
}

func TestDuration(t *testing.T) {
	for s, want := range map[float64]string{0: "0s", 1.34: "1.3s", 7.5: "7.5s", 9.97: "10s", 42.4: "42s", 185: "3m05s", 4*3600 + 125: "4h02m", 2*86400 + 4*3600: "2d04h"} {
		if got := duration(s); got != want {
			t.Errorf("duration(%v) = %s, want %s", s, got, want)
		}
	}
}
