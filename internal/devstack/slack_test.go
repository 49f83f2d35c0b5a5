package devstack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/internal/slackapp/slackfake"
	"github.com/rectifyhq/rectify/starter"
)

const (
	slackToken    = "xoxb-test-token"
	slackSecret   = "test-signing-secret"
	slackApprover = "U0APPROVER"
	slackChannel  = "C0SEC"
)

// slackStack is a local stack whose notifier is the real Slack notifier
// against a fake Slack API, with the real interactions endpoint served
// over HTTP.
type slackStack struct {
	*stack
	api      *slackfake.Server
	endpoint string
	handler  *slackapp.Handler
	clicks   int
}

func newSlackStack(t *testing.T, configure func(*config.Config)) *slackStack {
	t.Helper()
	api := slackfake.New(t, slackToken)
	s := newStack(t, func(c *config.Config) {
		c.Slack.BotToken = config.Secret(slackToken)
		c.Slack.SigningSecret = config.Secret(slackSecret)
		c.Slack.APIURL = api.APIURL()
		c.Slack.DefaultChannel = slackChannel
		c.Approvers = []string{slackApprover}
		c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {Mode: contract.ModeApprove}}
		if configure != nil {
			configure(c)
		}
	})
	h, err := slackapp.NewHandlerFromConfig(&s.cfg, temporalServer.Client, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(starter.NewHTTPServer("", h, nil).Handler)
	t.Cleanup(func() { srv.Close(); h.Wait() })
	return &slackStack{stack: s, api: api, endpoint: srv.URL, handler: h}
}

// click signs a button click the way Slack does and posts it to the
// endpoint; it returns the HTTP status.
func (s *slackStack) click(user, action, workflowID string) int {
	s.t.Helper()
	s.clicks++
	c := slackfake.Click{
		User: user, ActionID: action, ActionTS: time.Now().Format("150405.000000"), WorkflowID: workflowID,
		Channel: slackChannel, MessageTS: "1700000000.000100", ResponseURL: s.api.ResponseURL(user),
	}
	return s.post(slackfake.BlockActions(c))
}

func (s *slackStack) post(payload any) int {
	s.t.Helper()
	r := slackfake.Interaction(s.endpoint+slackapp.InteractionsPath, payload, time.Now(), slackSecret)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	s.handler.Wait()
	return resp.StatusCode
}

// submitReason answers the last reason modal the endpoint opened.
func (s *slackStack) submitReason(user, reason string) {
	s.t.Helper()
	views := s.api.Calls("views.open")
	if len(views) == 0 {
		s.t.Fatal("no reason modal was opened")
	}
	view, _ := views[len(views)-1].JSON["view"].(map[string]any)
	meta, _ := view["private_metadata"].(string)
	if code := s.post(slackfake.ViewSubmission(user, meta, reason)); code != http.StatusOK {
		s.t.Fatalf("view submission = %d", code)
	}
}

// TestSlackApproveThenUndo: approve by button, remediated, then Undo by
// button restores the bucket, tags it exempt and records SUPPRESSED; the
// message shows the story in place.
func TestSlackApproveThenUndo(t *testing.T) {
	ctx := context.Background()
	s := newSlackStack(t, nil)
	s.removePAB(ctx)
	id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	s.waitState(id, contract.StateAwaitingApproval)

	// The state is upserted before the message is posted: wait for it.
	var posts []slackfake.Call
	i := -1
	waitFor(t, "the Slack message for "+id, func() bool {
		posts = s.api.Calls("chat.postMessage")
		i = slices.IndexFunc(posts, func(c slackfake.Call) bool { return strings.Contains(c.Form.Get("blocks"), id) })
		return i >= 0
	})
	first := posts[i].Form
	if first.Get("channel") != slackChannel || !strings.Contains(first.Get("blocks"), slackapp.ActionApprove) || !strings.Contains(first.Get("blocks"), id) {
		t.Fatalf("first message lacks the approve button for %s: %s", id, first.Get("blocks"))
	}

	// A forged click is refused before anything happens.
	forged := slackfake.Interaction(s.endpoint+slackapp.InteractionsPath, map[string]any{"type": "block_actions"}, time.Now(), "wrong-secret")
	if resp, err := http.DefaultClient.Do(forged); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged click: %v %v", resp, err)
	}
	// A non-approver is told no, and the workflow does not move.
	if code := s.click("U0MALLORY", slackapp.ActionApprove, id); code != http.StatusOK {
		t.Fatalf("click status %d", code)
	}
	if st, _ := queryStatus(ctx, id); st.State != contract.StateAwaitingApproval {
		t.Fatalf("a non-approver moved the workflow to %s", st.State)
	}

	if code := s.click(slackApprover, slackapp.ActionApprove, id); code != http.StatusOK {
		t.Fatalf("approve click = %d", code)
	}
	st := s.waitState(id, contract.StateResolved)
	if st.DecidedBy != slackApprover || !s.pabComplete(ctx) {
		t.Fatalf("after approval: decided by %q, block complete %v", st.DecidedBy, s.pabComplete(ctx))
	}
	// The Resolved update follows the state change: wait for an update
	// that offers Undo, then check it is the last and offers nothing else.
	var updates []slackfake.Call
	waitFor(t, "the in-place update that offers Undo", func() bool {
		updates = s.api.Calls("chat.update")
		return len(updates) > 0 && strings.Contains(updates[len(updates)-1].Form.Get("blocks"), slackapp.ActionUndo)
	})
	if last := updates[len(updates)-1].Form; strings.Contains(last.Get("blocks"), slackapp.ActionApprove) {
		t.Errorf("resolved message should offer Undo and no Approve: %s", last.Get("blocks"))
	}

	if code := s.click(slackApprover, slackapp.ActionUndo, id); code != http.StatusOK {
		t.Fatalf("undo click = %d", code)
	}
	s.submitReason(slackApprover, "the website bucket must stay public")
	st = s.waitState(id, contract.StateUndone)
	if s.pabComplete(ctx) {
		t.Error("undo did not restore the missing public access block")
	}
	tags, err := s.s3().GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(s.bucket.ID)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.TagSet {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if !strings.Contains(got[activities.TagExempt], PolicyS3PAB) || got[activities.TagExemptUntil] == "" || got["data-classification"] != "internal" {
		t.Errorf("tags after undo = %v", got)
	}
	f := s.finding(ctx, PolicyS3PAB, s.bucket, shtypes.WorkflowStatusSuppressed)
	if f.Workflow.Status != shtypes.WorkflowStatusSuppressed || f.Note == nil || !strings.Contains(aws.ToString(f.Note.Text), "website bucket") {
		t.Errorf("finding after undo: %s, note %v", f.Workflow.Status, f.Note)
	}
	if !strings.Contains(st.Reason, slackApprover) {
		t.Errorf("undo reason %q does not name who", st.Reason)
	}
}

// TestSlackRejectWithReason: Reject asks for a reason in a modal; the
// reason ends in the workflow and the finding.
func TestSlackRejectWithReason(t *testing.T) {
	ctx := context.Background()
	s := newSlackStack(t, nil)
	s.removePAB(ctx)
	id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
	s.waitState(id, contract.StateAwaitingApproval)
	s.click(slackApprover, slackapp.ActionReject, id)
	s.submitReason(slackApprover, "public website, approved by CISO")
	st := s.waitState(id, contract.StateRejected)
	if st.Reason != "public website, approved by CISO" || st.DecidedBy != slackApprover {
		t.Errorf("status = %+v", st)
	}
	if s.pabComplete(ctx) {
		t.Error("a rejected fix was applied")
	}
	if f := s.finding(ctx, PolicyS3PAB, s.bucket, shtypes.WorkflowStatusNotified); f.Note == nil || !strings.Contains(aws.ToString(f.Note.Text), "approved by CISO") {
		t.Errorf("finding note = %v", f.Note)
	}
	// A late click is answered, not acted on.
	before := len(s.api.Calls("response_url"))
	s.click(slackApprover, slackapp.ActionApprove, id)
	replies := s.api.Calls("response_url")
	if len(replies) <= before {
		t.Fatal("a click after the decision got no reply")
	}
	if b, _ := json.Marshal(replies[len(replies)-1].JSON); !strings.Contains(string(b), "Already decided") || !strings.Contains(string(b), "rejected") {
		t.Errorf("late click reply = %s", b)
	}
}

// TestSlackTimeouts: each default action at the approval timeout, and a
// reminder posted in the thread before it.
func TestSlackTimeouts(t *testing.T) {
	tests := []struct {
		action    contract.TimeoutAction
		wantState string
		wantFixed bool
	}{
		{contract.TimeoutRemediate, contract.StateResolved, true},
		{contract.TimeoutSkip, contract.StateExpired, false},
		{contract.TimeoutEscalate, contract.StateEscalated, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.action), func(t *testing.T) {
			ctx := context.Background()
			s := newSlackStack(t, func(c *config.Config) {
				c.Policies = map[string]config.PolicySettings{PolicyS3PAB: {
					Mode: contract.ModeApprove, ApprovalTimeout: config.Duration(3 * time.Second), TimeoutAction: tt.action,
					Reminders: []config.Duration{config.Duration(time.Second)}, EscalationMention: "<!subteam^S0ONCALL>",
				}}
			})
			s.removePAB(ctx)
			id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
			s.waitState(id, tt.wantState)
			if got := s.pabComplete(ctx); got != tt.wantFixed {
				t.Errorf("fixed = %v, want %v", got, tt.wantFixed)
			}
			var reminded bool
			for _, c := range s.api.Calls("chat.postMessage") {
				reminded = reminded || (c.Form.Get("thread_ts") != "" && strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), "Reminder"))
			}
			if !reminded {
				t.Error("no reminder was posted in the thread")
			}
		})
	}
}

// TestExpiredExemptionIgnored: an exemption tag whose date has passed
// does not stop the fix.
func TestExpiredExemptionIgnored(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	if _, err := s.s3().PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket: aws.String(s.bucket.ID),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
			{Key: aws.String(activities.TagExempt), Value: aws.String("all")},
			{Key: aws.String(activities.TagExemptUntil), Value: aws.String("2020-01-01")},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	s.removePAB(ctx)
	s.waitState(contract.RemediationID(PolicyS3PAB, s.bucket.ARN), contract.StateResolved)
	if !s.pabComplete(ctx) {
		t.Error("expired exemption stopped the fix")
	}
}

// TestExemptionHonoured: a live exemption suppresses instead of fixing.
func TestExemptionHonoured(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	if _, err := s.s3().PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket: aws.String(s.bucket.ID),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
			{Key: aws.String(activities.TagExempt), Value: aws.String(PolicyS3PAB)},
			{Key: aws.String(activities.TagExemptUntil), Value: aws.String(time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339))},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	s.removePAB(ctx)
	s.waitState(contract.RemediationID(PolicyS3PAB, s.bucket.ARN), contract.StateSuppressed)
	if s.pabComplete(ctx) {
		t.Error("an exempt bucket was changed")
	}
	if f := s.finding(ctx, PolicyS3PAB, s.bucket, shtypes.WorkflowStatusSuppressed); f.Workflow.Status != shtypes.WorkflowStatusSuppressed {
		t.Errorf("finding status %s, want SUPPRESSED", f.Workflow.Status)
	}
}

// TestConfigExemptions: a config entry (ARN glob, policy, reason, owner,
// expiry) suppresses like a tag and names its owner; an expired one no
// longer does.
func TestConfigExemptions(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		expires string
		want    string
	}{
		{"live", time.Now().Add(48 * time.Hour).UTC().Format(time.DateOnly), contract.StateSuppressed},
		{"expired", "2020-01-01", contract.StateResolved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, func(c *config.Config) {
				c.Exemptions = []exempt.Rule{{ARN: "arn:aws:s3:::" + DemoBucket + "*", Policies: []string{PolicyS3PAB},
					Reason: "static website", Owner: "web-team", Expires: tc.expires}}
			})
			s.removePAB(ctx)
			id := contract.RemediationID(PolicyS3PAB, s.bucket.ARN)
			st := s.waitState(id, tc.want)
			if fixed := s.pabComplete(ctx); fixed != (tc.want == contract.StateResolved) {
				t.Errorf("public access block complete = %v in state %s", fixed, st.State)
			}
			if tc.want == contract.StateSuppressed {
				f := s.finding(ctx, PolicyS3PAB, s.bucket, shtypes.WorkflowStatusSuppressed)
				if f.Workflow.Status != shtypes.WorkflowStatusSuppressed || f.Note == nil || !strings.Contains(aws.ToString(f.Note.Text), "web-team") {
					t.Errorf("finding: %s, note %v; want SUPPRESSED naming the owner", f.Workflow.Status, f.Note)
				}
			}
		})
	}
}
