package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
)

func approveBucket(c *config.Config) {
	c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove}}
}

// metadataText decodes a user-metadata payload (a JSON string).
func metadataText(t *testing.T, p *commonpb.Payload) string {
	t.Helper()
	if p == nil {
		return ""
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		t.Fatalf("decode user metadata: %v", err)
	}
	return s
}

// page is what the Temporal UI shows of a workflow: its summary and
// details (from DescribeWorkflowExecution) and its current details (from
// the __temporal_workflow_metadata query the UI makes).
type page struct {
	summary, details, current string
	memo                      map[string]*commonpb.Payload
}

func uiPage(t *testing.T, ctx context.Context, id string) page {
	t.Helper()
	d, err := temporalServer.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatalf("describe %s: %v", id, err)
	}
	md := d.GetExecutionConfig().GetUserMetadata()
	p := page{summary: metadataText(t, md.GetSummary()), details: metadataText(t, md.GetDetails()), memo: d.GetWorkflowExecutionInfo().GetMemo().GetFields()}
	v, err := temporalServer.Client.QueryWorkflow(ctx, id, "", "__temporal_workflow_metadata")
	if err != nil {
		t.Fatalf("query metadata of %s: %v", id, err)
	}
	var meta sdkpb.WorkflowMetadata
	if err := v.Get(&meta); err != nil {
		t.Fatalf("decode metadata of %s: %v", id, err)
	}
	p.current = meta.GetCurrentDetails()
	return p
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// activitySummaries are the summaries of every activity a workflow
// scheduled, in order, and the input of its start.
func activitySummaries(t *testing.T, ctx context.Context, id string) (summaries []string, input string) {
	t.Helper()
	iter := temporalServer.Client.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			if ps := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads(); len(ps) > 0 {
				input = string(ps[0].GetData())
			}
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			summaries = append(summaries, metadataText(t, ev.GetUserMetadata().GetSummary()))
		}
	}
	return summaries, input
}

// TestTemporalUIPages reads what the Temporal UI shows of a violation and
// its evaluation, through the Temporal API on the dev server: a summary
// and markdown details on every start, current details that follow the
// state, a summary on every activity, readable durations in the input,
// and links from each to the other.
func TestTemporalUIPages(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, approveBucket)
	s.removePAB(ctx)
	id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	evalID := contract.EvaluateID(s.bucket.ARN)
	s.waitState(id, contract.StateAwaitingApproval)

	r := uiPage(t, ctx, id)
	mustContain(t, "Remediation summary", r.summary,
		"S3 bucket "+s.bucket.ID+" has no public access block: awaiting approval to turn on all four S3 public access block settings")
	mustContain(t, "Remediation details", r.details,
		"(`"+PolicyS3PAB+"`), severity **HIGH**", "**Controls:**", "DeleteBucketPublicAccessBlock (cloudtrail) by arn:aws:iam::"+Account+":user/"+HumanUser,
		"**Planned action:** turn on all four", "approvers: "+HumanUser,
		"rectify approve "+PolicyS3PAB+" "+s.bucket.ARN+" --as YOU", "Slack",
		"/namespaces/default/workflows/evaluate%2F", "securityhub")
	mustContain(t, "Remediation current details", r.current, "**AwaitingApproval** since", "**Approval deadline:**", "(then: reject)")
	var action string
	if err := converter.GetDefaultDataConverter().FromPayload(r.memo[contract.MemoAction], &action); err != nil || action != "turn on all four S3 public access block settings" {
		t.Errorf("memo action = %q (%v)", action, err)
	}
	var deadline time.Time
	if err := converter.GetDefaultDataConverter().FromPayload(r.memo[contract.MemoDeadline], &deadline); err != nil || time.Until(deadline) < 23*time.Hour {
		t.Errorf("memo deadline = %v (%v), want about a day ahead", deadline, err)
	}

	e := uiPage(t, ctx, evalID)
	mustContain(t, "Evaluate summary", e.summary, "Evaluate S3 bucket "+s.bucket.ID+" after DeleteBucketPublicAccessBlock (cloudtrail) by")
	mustContain(t, "Evaluate details", e.details, s.bucket.ARN, "violations of this resource")
	// The evaluation links to the Remediation it started.
	mustContain(t, "Evaluate current details", e.current, "[aws.s3.public_access_block](/namespaces/default/workflows/remediation%2Faws.s3.public_access_block%2F"+strings.ReplaceAll(s.bucket.ARN, "/", "%2F")+")")

	if _, err := contract.Decide(ctx, temporalServer.Client, id, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	s.waitState(id, contract.StateResolved)
	r = uiPage(t, ctx, id)
	mustContain(t, "Remediation current details after the fix", r.current, "**Resolved** since", "**Decided by:** "+HumanUser, "**Undo offered until:**")
	if strings.Contains(r.current, "Approval deadline") {
		t.Errorf("the deadline is still shown after the decision:\n%s", r.current)
	}

	for _, wf := range []string{id, evalID} {
		sums, input := activitySummaries(t, ctx, wf)
		if len(sums) == 0 {
			t.Fatalf("%s scheduled no activity", wf)
		}
		for i, sum := range sums {
			if sum == "" {
				t.Errorf("%s: activity %d has no summary", wf, i)
			}
		}
		if wf == id {
			mustContain(t, "Remediation activity summaries", strings.Join(sums, "\n"),
				"record finding NEW", "notify AwaitingApproval", "snapshot before: turn on all four S3 public access block settings on "+s.bucket.ID,
				"turn on all four S3 public access block settings on "+s.bucket.ID, "verify "+PolicyS3PAB+" on "+s.bucket.ID)
			// Durations in the input read as people write them.
			mustContain(t, "Remediation input", input, `"approval_timeout":"24h0m0s"`, `"watch_window":"1h0m0s"`, `"stage":"active"`)
		} else {
			mustContain(t, "Evaluate activity summaries", strings.Join(sums, "\n"), "read S3 bucket "+s.bucket.ID+" and judge it", "hand on 1 violation(s)")
		}
	}
}

// TestRejectSnoozesUntilTheResourceChanges: a rejected violation stays
// open; a sweep's recheck is absorbed (no second ask, no second run), and
// a real change of the resource asks again, which a person then approves.
func TestRejectSnoozesUntilTheResourceChanges(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, approveBucket)
	s.removePAB(ctx)
	id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	s.waitState(id, contract.StateAwaitingApproval)
	if _, err := contract.Decide(ctx, temporalServer.Client, id, "", contract.Decision{User: HumanUser, Reason: "public website"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(id, contract.StateRejected)

	// A sweep of the account: the real Sweep workflow, on this test's task
	// queue (the schedule's ID is shared by the package's tests).
	run, err := temporalServer.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "sweep-test/" + s.suffix, TaskQueue: s.cfg.Temporal.TaskQueue,
	}, contract.SweepWorkflow, contract.SweepInput{Account: Account, Region: Region, PagesPerSecond: 50})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	waitFor(t, "the sweep's recheck to reach the rejected violation", func() bool { return s.recheckFrom(ctx, id, "sweep") })
	time.Sleep(time.Second) // what the recheck would set off, it has by now
	st, err := queryStatus(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != contract.StateRejected || st.SnoozedUntil.IsZero() || len(historyOf(st)) != 2 {
		t.Fatalf("after a sweep: state %s, snoozed until %v, story %v; want still Rejected and snoozed", st.State, st.SnoozedUntil, historyOf(st))
	}
	if n := s.runs(ctx, id); n != 1 {
		t.Errorf("%d runs after the sweep, want 1 (the rejection holds)", n)
	}

	// A real change: alice turns on only one of the four settings.
	if _, err := s.s3().PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket:                         aws.String(s.bucket.ID),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
	st = s.waitState(id, contract.StateAwaitingApproval)
	if last := st.History[len(st.History)-1]; !strings.Contains(last.Detail, "changed again (PutBucketPublicAccessBlock (cloudtrail) by arn:aws:iam::"+Account+":user/"+HumanUser) ||
		!strings.Contains(last.Detail, "after the rejection by "+HumanUser) {
		t.Errorf("second ask: %+v", last)
	}
	if st.Deadline.IsZero() || !st.SnoozedUntil.IsZero() {
		t.Errorf("second ask: deadline %v, snoozed until %v: %+v", st.Deadline, st.SnoozedUntil, st)
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, id, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	s.waitState(id, contract.StateResolved)
	if !s.pabComplete(ctx) {
		t.Error("public access block not complete after the approval")
	}
	if n := s.runs(ctx, id); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
	saveHistory(t, id, "remediation-snooze-reask")
}

func historyOf(st contract.Status) []string {
	var out []string
	for _, h := range st.History {
		out = append(out, h.State)
	}
	return out
}

// recheckFrom says whether a workflow got a recheck from a change of source.
func (s *stack) recheckFrom(ctx context.Context, id, source string) bool {
	iter := temporalServer.Client.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		a := ev.GetWorkflowExecutionSignaledEventAttributes()
		if a == nil || a.GetSignalName() != contract.SignalRecheck {
			continue
		}
		for _, p := range a.GetInput().GetPayloads() {
			var c contract.Recheck
			if json.Unmarshal(p.GetData(), &c) == nil && c.Change.Source == source {
				return true
			}
		}
	}
	return false
}

// TestObserveStageThenPromote: an account nobody promoted only notifies
// ("would revoke ..."), changing nothing; a promotion through the Accounts
// workflow on the dev server reaches the worker, and the next change is
// fixed; a demotion brings it back.
func TestObserveStageThenPromote(t *testing.T) {
	ctx := context.Background()
	s := newStackWith(t, func(c *config.Config) { c.Stages = nil }, AppOptions{StageTTL: 200 * time.Millisecond})
	s.openSSH(ctx)
	id := contract.RemediationID(PolicySGAdminPorts, s.sg.ARN)
	st := s.waitState(id, contract.StateNotified)
	if st.Stage != contract.StageObserve || st.PromotedMode != contract.ModeEnforce {
		t.Errorf("status stage %s, promoted mode %s", st.Stage, st.PromotedMode)
	}
	mustContain(t, "observed note", st.History[len(st.History)-1].Detail,
		"observe stage (default stage of an account not promoted): would revoke ingress rule(s)", "on its own once promoted",
		"rectify accounts promote "+Account)
	if !s.sshOpen(ctx) {
		t.Error("the observe stage changed the security group")
	}
	if f := s.finding(ctx, PolicySGAdminPorts, s.sg, shtypes.WorkflowStatusNotified); f.Note == nil || !strings.Contains(aws.ToString(f.Note.Text), "observe stage") {
		t.Errorf("finding note = %v", f.Note)
	}
	saveHistory(t, id, "remediation-observe")

	book, err := contract.SetStage(ctx, temporalServer.Client, s.cfg.Temporal.TaskQueue,
		contract.StageChange{Account: Account, Stage: contract.StageActive, By: HumanUser, Reason: "reviewed the observe findings"})
	if err != nil {
		t.Fatal(err)
	}
	if len(book.Rules) != 1 || book.Rules[0].By != HumanUser {
		t.Fatalf("book = %+v", book)
	}
	time.Sleep(300 * time.Millisecond) // past the worker's stage cache
	s.openPort(ctx, 3389)
	waitFor(t, "the next change to be fixed in the promoted account", func() bool {
		st, err := queryStatus(ctx, id)
		return err == nil && st.State == contract.StateResolved
	})
	if s.sshOpen(ctx) {
		t.Error("tcp/22 still open after the promotion")
	}

	if _, err := contract.SetStage(ctx, temporalServer.Client, s.cfg.Temporal.TaskQueue,
		contract.StageChange{Account: Account, Stage: contract.StageObserve, By: HumanUser, Reason: "incident"}); err != nil {
		t.Fatal(err)
	}
	read, err := contract.Stages(ctx, temporalServer.Client, s.cfg.Temporal.TaskQueue)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Rules) != 1 || read.Rules[0].Stage != contract.StageObserve || len(read.Log) != 2 || read.Log[1].Reason != "incident" {
		t.Errorf("book after the demotion = %+v", read)
	}
	accounts := uiPage(t, ctx, contract.AccountsID(s.cfg.Temporal.TaskQueue))
	mustContain(t, "Accounts page", accounts.summary+accounts.current, "Stages of the accounts", "| "+Account+" | (all) | **observe** | "+HumanUser)
	saveHistory(t, contract.AccountsID(s.cfg.Temporal.TaskQueue), "accounts")
}

// openPort opens a tcp port to the world on the demo group, as the human.
func (s *stack) openPort(ctx context.Context, port int32) {
	s.t.Helper()
	if err := openPortOn(ctx, s.ec2(), s.sg.ID, port); err != nil {
		s.t.Fatal(fmt.Errorf("open port %d: %w", port, err))
	}
}

// TestDemoWaitsForAPerson: without AutoApprove the demo prints the exact
// command and waits as long as it takes; a person's rejection is a result
// it reports (the bucket stays as the human left it), not a failure.
func TestDemoWaitsForAPerson(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, approveBucket)
	var lines syncLines
	d := &Demo{Temporal: temporalServer.Client, Endpoint: s.endpoint, Suffix: s.suffix, App: s.app, Address: "127.0.0.1:7299", Progress: lines.add}
	type outcome struct {
		sum Summary
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		sum, err := d.Run(ctx, 60*time.Second)
		done <- outcome{sum, err}
	}()
	id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	command := "rectify approve " + PolicyS3PAB + " " + s.bucket.ARN + " --as " + HumanUser + " --address 127.0.0.1:7299"
	waitFor(t, "the demo to print the approve command", func() bool { return lines.has(command) })
	time.Sleep(2 * time.Second)
	if st, err := queryStatus(ctx, id); err != nil || st.State != contract.StateAwaitingApproval {
		t.Fatalf("without a person the bucket fix is %s (%v), want still AwaitingApproval", st.State, err)
	}
	select {
	case o := <-done:
		t.Fatalf("the demo ended without a decision: %+v", o)
	default:
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, id, "", contract.Decision{User: HumanUser, Reason: "keep it for the test"}); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	if !o.sum.OK || o.sum.Verified != 1 || !strings.Contains(o.sum.Decision, "rejected by "+HumanUser+": keep it for the test") {
		t.Errorf("summary = %+v, want OK with the security group fixed and the rejection reported", o.sum)
	}
	if s.pabComplete(ctx) {
		t.Error("the demo fixed the bucket a person rejected")
	}
}

// syncLines collects the demo's progress lines.
type syncLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *syncLines) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *syncLines) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, sub) {
			return true
		}
	}
	return false
}
