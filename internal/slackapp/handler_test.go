package slackapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/internal/slackapp/slackfake"
)

const (
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	testToken    = "xoxb-test-0000-supersecret"
	testWorkflow = "remediation/aws.s3.public_access_block/arn:aws:s3:::data"
	approver     = "U0APPROVER"
	stranger     = "U0STRANGER"
	groupie      = "U0GROUPIE"
	approverGrp  = "S0APPROVERS"
	messageTS    = "1700000000.000001"
)

// fakeRemediation stands in for the workflow: it keeps the decide and
// undo Updates' contract (validator messages, UpdateID deduplication, a
// closed workflow answering NotFound), so the handler is tested without a
// Temporal server.
type fakeRemediation struct {
	mu        sync.Mutex
	state     string
	decidedBy string
	closed    bool
	results   map[string]contract.DecisionResult // by UpdateID
	calls     []fakeCall
	// block, when set, holds every Update until closed.
	block chan struct{}
}

type fakeCall struct {
	updateID string
	decision contract.Decision
	undo     *contract.UndoRequest
}

func newFakeRemediation(state string) *fakeRemediation {
	return &fakeRemediation{state: state, results: map[string]contract.DecisionResult{}}
}

func (f *fakeRemediation) decide(ctx context.Context, workflowID, updateID string, d contract.Decision) (contract.DecisionResult, error) {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return contract.DecisionResult{}, fmt.Errorf("decide %s: %w", workflowID, ctx.Err())
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{updateID: updateID, decision: d})
	if f.closed {
		return contract.DecisionResult{}, fmt.Errorf("decide %s: %w", workflowID, serviceerror.NewNotFound("workflow execution already completed"))
	}
	if res, ok := f.results[updateID]; ok {
		return res, nil
	}
	if f.state != contract.StateAwaitingApproval {
		by := ""
		if f.decidedBy != "" {
			by = " by " + f.decidedBy
		}
		// What starter.Decide returns for a validator refusal.
		return contract.DecisionResult{}, fmt.Errorf("decide %s: %w", workflowID,
			temporal.NewApplicationError(fmt.Sprintf("not awaiting approval: already %s%s", f.state, by), "errorString"))
	}
	res := contract.DecisionResult{State: contract.StateApproved, Message: "approved by " + d.User + ": block public access"}
	if !d.Approve {
		res = contract.DecisionResult{State: contract.StateRejected, Message: "rejected by " + d.User}
	}
	f.state, f.decidedBy = res.State, d.User
	f.results[updateID] = res
	return res, nil
}

func (f *fakeRemediation) undo(ctx context.Context, workflowID, updateID string, u contract.UndoRequest) (contract.DecisionResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{updateID: updateID, undo: &u})
	if f.state != contract.StateResolved {
		return contract.DecisionResult{}, fmt.Errorf("undo %s: %w", workflowID,
			temporal.NewApplicationError("nothing to undo: "+f.state, "errorString"))
	}
	f.state = contract.StateUndone
	return contract.DecisionResult{State: contract.StateUndone, Message: "undone by " + u.User}, nil
}

func (f *fakeRemediation) status(ctx context.Context, workflowID string) (contract.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return contract.Status{State: f.state, DecidedBy: f.decidedBy}, nil
}

func (f *fakeRemediation) snapshot() (state string, calls []fakeCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state, append([]fakeCall(nil), f.calls...)
}

type harness struct {
	h   *slackapp.Handler
	api *slackfake.Server
	wf  *fakeRemediation
	now time.Time
}

func newHarness(t *testing.T, wf *fakeRemediation, approvers ...string) *harness {
	t.Helper()
	api := slackfake.New(t, testToken)
	api.SetGroup(approverGrp, groupie, "U0OTHER")
	if len(approvers) == 0 {
		approvers = []string{approver, "alice" /* a CLI user, ignored here */}
	}
	var logs syncBuffer
	h, err := slackapp.NewHandler(slackapp.HandlerConfig{
		SigningSecret: testSecret,
		Client:        slackapp.NewClient(config.Slack{BotToken: testToken, APIURL: api.APIURL()}),
		Approvers:     approvers,
		Decide:        wf.decide,
		Undo:          wf.undo,
		Status:        wf.status,
		Timeout:       5 * time.Second,
		Log:           slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if out := logs.String(); strings.Contains(out, testToken) || strings.Contains(out, testSecret) || strings.Contains(out, "/respond/") {
			t.Errorf("logs carry a secret or a response_url:\n%s", out)
		}
	})
	hs := &harness{h: h, api: api, wf: wf, now: time.Now()}
	slackapp.SetApproverClock(h, func() time.Time { return hs.now })
	return hs
}

// syncBuffer is a log sink for handlers writing from goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func sign(secret, ts, body string) string { return slackfake.Sign(secret, ts, body) }

func slackRequest(payload any, ts time.Time, secret string) *http.Request {
	return slackfake.Interaction(slackapp.InteractionsPath, payload, ts, secret)
}

func blockActions(api *slackfake.Server, user, actionID, actionTS string) map[string]any {
	return slackfake.BlockActions(slackfake.Click{
		User: user, ActionID: actionID, ActionTS: actionTS, WorkflowID: testWorkflow,
		Channel: "C0SEC", MessageTS: messageTS, ResponseURL: api.ResponseURL(user + "-" + actionTS),
	})
}

func viewSubmission(user, metadata, reason string) map[string]any {
	return slackfake.ViewSubmission(user, metadata, reason)
}

func (hs *harness) serve(t *testing.T, r *http.Request) int {
	t.Helper()
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	hs.h.Wait()
	return w.Code
}

func (hs *harness) click(t *testing.T, user, actionID, actionTS string) int {
	t.Helper()
	return hs.serve(t, slackRequest(blockActions(hs.api, user, actionID, actionTS), time.Now(), testSecret))
}

// replies are the ephemeral texts sent back to users, in order.
func (hs *harness) replies() []string {
	var out []string
	for _, c := range hs.api.Calls("response_url") {
		if c.JSON["response_type"] != "ephemeral" || c.JSON["replace_original"] != false {
			out = append(out, "NOT EPHEMERAL: "+fmt.Sprint(c.JSON))
			continue
		}
		out = append(out, fmt.Sprint(c.JSON["text"]))
	}
	for _, c := range hs.api.Calls("chat.postEphemeral") {
		out = append(out, c.Form.Get("text"))
	}
	return out
}

func TestSlackSignature(t *testing.T) {
	payload := func(api *slackfake.Server) any {
		return blockActions(api, approver, slackapp.ActionApprove, "1700000100.000100")
	}
	tests := []struct {
		name     string
		request  func(api *slackfake.Server) *http.Request
		wantCode int
	}{
		{"valid", func(api *slackfake.Server) *http.Request {
			return slackRequest(payload(api), time.Now(), testSecret)
		}, http.StatusOK},
		{"forged with another secret", func(api *slackfake.Server) *http.Request {
			return slackRequest(payload(api), time.Now(), "not-the-secret")
		}, http.StatusUnauthorized},
		{"body changed after signing", func(api *slackfake.Server) *http.Request {
			r := slackRequest(payload(api), time.Now(), testSecret)
			js, _ := json.Marshal(blockActions(api, stranger, slackapp.ActionApprove, "1"))
			r.Body = io.NopCloser(strings.NewReader(url.Values{"payload": {string(js)}}.Encode()))
			return r
		}, http.StatusUnauthorized},
		{"missing signature", func(api *slackfake.Server) *http.Request {
			r := slackRequest(payload(api), time.Now(), testSecret)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"missing timestamp", func(api *slackfake.Server) *http.Request {
			r := slackRequest(payload(api), time.Now(), testSecret)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"stale timestamp, validly signed", func(api *slackfake.Server) *http.Request {
			return slackRequest(payload(api), time.Now().Add(-6*time.Minute), testSecret)
		}, http.StatusUnauthorized},
		{"timestamp from the future", func(api *slackfake.Server) *http.Request {
			return slackRequest(payload(api), time.Now().Add(6*time.Minute), testSecret)
		}, http.StatusUnauthorized},
		{"signed but not a payload", func(api *slackfake.Server) *http.Request {
			body := "payload=%7Bnot-json"
			r := httptest.NewRequest(http.MethodPost, slackapp.InteractionsPath, strings.NewReader(body))
			stamp := strconv.FormatInt(time.Now().Unix(), 10)
			r.Header.Set("X-Slack-Request-Timestamp", stamp)
			r.Header.Set("X-Slack-Signature", sign(testSecret, stamp, body))
			return r
		}, http.StatusBadRequest},
		{"GET", func(api *slackfake.Server) *http.Request {
			return httptest.NewRequest(http.MethodGet, slackapp.InteractionsPath, nil)
		}, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := newFakeRemediation(contract.StateAwaitingApproval)
			hs := newHarness(t, wf)
			if got := hs.serve(t, tt.request(hs.api)); got != tt.wantCode {
				t.Fatalf("status = %d, want %d", got, tt.wantCode)
			}
			state, calls := wf.snapshot()
			if tt.wantCode == http.StatusOK {
				if state != contract.StateApproved || len(calls) != 1 {
					t.Errorf("valid click: state %s after %d updates, want Approved after 1", state, len(calls))
				}
				return
			}
			if len(calls) != 0 || len(hs.api.Calls("")) != 0 {
				t.Errorf("refused request reached the workflow (%d updates) or Slack (%v)", len(calls), hs.api.Calls(""))
			}
		})
	}
}

func TestSlackClicks(t *testing.T) {
	type click struct{ user, action, ts string }
	tests := []struct {
		name       string
		state      string
		decidedBy  string
		closed     bool
		approvers  []string
		clicks     []click
		wantState  string
		wantUpdate []contract.Decision
		// wantOneID: every Update had the same UpdateID.
		wantOneID   bool
		wantReplies []string
	}{
		{
			name:       "approver approves",
			state:      contract.StateAwaitingApproval,
			clicks:     []click{{approver, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:  contract.StateApproved,
			wantUpdate: []contract.Decision{{Approve: true, User: approver}},
			wantReplies: []string{
				":white_check_mark: Approved by <@U0APPROVER>: block public access. The message follows the workflow from here.",
			},
		},
		{
			name:        "non-approver is refused and the workflow is untouched",
			state:       contract.StateAwaitingApproval,
			clicks:      []click{{stranger, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateAwaitingApproval,
			wantReplies: []string{":lock: <@U0STRANGER> is not an approver of this violation, so nothing changed."},
		},
		{
			name:        "non-approver reject opens no modal",
			state:       contract.StateAwaitingApproval,
			clicks:      []click{{stranger, slackapp.ActionReject, "1700000100.000100"}},
			wantState:   contract.StateAwaitingApproval,
			wantReplies: []string{":lock: <@U0STRANGER> is not an approver"},
		},
		{
			name:  "double click is one decision",
			state: contract.StateAwaitingApproval,
			clicks: []click{
				{approver, slackapp.ActionApprove, "1700000100.000100"},
				{approver, slackapp.ActionApprove, "1700000100.350000"},
			},
			wantState:  contract.StateApproved,
			wantUpdate: []contract.Decision{{Approve: true, User: approver}, {Approve: true, User: approver}},
			wantOneID:  true,
			wantReplies: []string{
				":white_check_mark: Approved by <@U0APPROVER>",
				":white_check_mark: Approved by <@U0APPROVER>", // the first result, again
			},
		},
		{
			name:  "second approver is told who decided",
			state: contract.StateAwaitingApproval,
			clicks: []click{
				{approver, slackapp.ActionApprove, "1700000100.000100"},
				{groupie, slackapp.ActionApprove, "1700000101.000100"},
			},
			approvers:  []string{approver, approverGrp},
			wantState:  contract.StateApproved,
			wantUpdate: []contract.Decision{{Approve: true, User: approver}, {Approve: true, User: groupie, Via: approverGrp}},
			wantReplies: []string{
				":white_check_mark: Approved by <@U0APPROVER>",
				":information_source: Already decided by <@U0APPROVER> (approved). Nothing changed.",
			},
		},
		{
			name:        "decided in the same workflow task",
			state:       "decided", // the validator's word while the state has not moved
			decidedBy:   "U0FIRST01",
			clicks:      []click{{approver, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   "decided",
			wantUpdate:  []contract.Decision{{Approve: true, User: approver}},
			wantReplies: []string{":information_source: Already decided by <@U0FIRST01>. Nothing changed."},
		},
		{
			name:        "click after timeout, workflow still open",
			state:       contract.StateExpired,
			clicks:      []click{{approver, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateExpired,
			wantUpdate:  []contract.Decision{{Approve: true, User: approver}},
			wantReplies: []string{":alarm_clock: This approval has expired"},
		},
		{
			name:        "click after timeout, workflow closed",
			state:       contract.StateExpired,
			closed:      true,
			clicks:      []click{{approver, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateExpired,
			wantUpdate:  []contract.Decision{{Approve: true, User: approver}},
			wantReplies: []string{":alarm_clock: This approval has expired"},
		},
		{
			name:        "click after a reject, workflow closed",
			state:       contract.StateRejected,
			decidedBy:   "U0BOSS001",
			closed:      true,
			clicks:      []click{{approver, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateRejected,
			wantUpdate:  []contract.Decision{{Approve: true, User: approver}},
			wantReplies: []string{":information_source: Already decided by <@U0BOSS001> (rejected). Nothing changed."},
		},
		{
			name:        "approved at timeout by policy default",
			state:       contract.StateRemediating,
			decidedBy:   "timeout",
			clicks:      []click{{approver, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateRemediating,
			wantUpdate:  []contract.Decision{{Approve: true, User: approver}},
			wantReplies: []string{":alarm_clock: This approval has expired: the policy's timeout default was to remediate."},
		},
		{
			name:        "group member approves",
			state:       contract.StateAwaitingApproval,
			approvers:   []string{approverGrp},
			clicks:      []click{{groupie, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateApproved,
			wantUpdate:  []contract.Decision{{Approve: true, User: groupie, Via: approverGrp}},
			wantReplies: []string{":white_check_mark: Approved by <@U0GROUPIE>"},
		},
		{
			name:        "unknown group fails closed",
			state:       contract.StateAwaitingApproval,
			approvers:   []string{"S0NOSUCHGRP"},
			clicks:      []click{{groupie, slackapp.ActionApprove, "1700000100.000100"}},
			wantState:   contract.StateAwaitingApproval,
			wantReplies: []string{":warning: rectify could not check the approver list just now"},
		},
		{
			name:      "other buttons are ignored",
			state:     contract.StateAwaitingApproval,
			clicks:    []click{{approver, "some_other_app_button", "1700000100.000100"}},
			wantState: contract.StateAwaitingApproval,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := newFakeRemediation(tt.state)
			wf.decidedBy, wf.closed = tt.decidedBy, tt.closed
			hs := newHarness(t, wf, tt.approvers...)
			for _, c := range tt.clicks {
				if code := hs.click(t, c.user, c.action, c.ts); code != http.StatusOK {
					t.Fatalf("click status = %d", code)
				}
			}
			state, calls := wf.snapshot()
			if state != tt.wantState {
				t.Errorf("state = %s, want %s", state, tt.wantState)
			}
			if len(calls) != len(tt.wantUpdate) {
				t.Fatalf("updates = %+v, want %+v", calls, tt.wantUpdate)
			}
			for i, c := range calls {
				if c.decision != tt.wantUpdate[i] {
					t.Errorf("update %d = %+v, want %+v", i, c.decision, tt.wantUpdate[i])
				}
				if !strings.HasPrefix(c.updateID, "slack-") {
					t.Errorf("update %d has UpdateID %q, want a deterministic slack- ID", i, c.updateID)
				}
			}
			if tt.wantOneID && calls[0].updateID != calls[1].updateID {
				t.Errorf("double click gave UpdateIDs %s and %s", calls[0].updateID, calls[1].updateID)
			}
			if !tt.wantOneID && len(calls) == 2 && calls[0].updateID == calls[1].updateID {
				t.Errorf("two users share UpdateID %s", calls[0].updateID)
			}
			replies := hs.replies()
			if len(replies) != len(tt.wantReplies) {
				t.Fatalf("replies = %q, want %d", replies, len(tt.wantReplies))
			}
			for i, want := range tt.wantReplies {
				if !strings.HasPrefix(replies[i], want) {
					t.Errorf("reply %d = %q, want it to start with %q", i, replies[i], want)
				}
			}
		})
	}
}

func TestSlackReasonModal(t *testing.T) {
	tests := []struct {
		name       string
		action     string
		state      string
		openFails  bool
		reason     string
		wantUpdate fakeCall
		wantReply  string
	}{
		{
			name: "reject with a reason", action: slackapp.ActionReject, state: contract.StateAwaitingApproval,
			reason:     "  change freeze until Monday ",
			wantUpdate: fakeCall{decision: contract.Decision{User: approver, Reason: "change freeze until Monday"}},
			wantReply:  ":no_entry_sign: Rejected by <@U0APPROVER>: change freeze until Monday.",
		},
		{
			name: "reject with an empty reason", action: slackapp.ActionReject, state: contract.StateAwaitingApproval,
			wantUpdate: fakeCall{decision: contract.Decision{User: approver, Reason: slackapp.DefaultRejectReason}},
			wantReply:  ":no_entry_sign: Rejected by <@U0APPROVER>: " + slackapp.DefaultRejectReason,
		},
		{
			name: "reject when the modal cannot open", action: slackapp.ActionReject, state: contract.StateAwaitingApproval,
			openFails:  true,
			wantUpdate: fakeCall{decision: contract.Decision{User: approver, Reason: slackapp.DefaultRejectReason}},
			wantReply:  ":no_entry_sign: Rejected by <@U0APPROVER>",
		},
		{
			name: "undo with a reason", action: slackapp.ActionUndo, state: contract.StateResolved,
			reason:     "broke the nightly export",
			wantUpdate: fakeCall{undo: &contract.UndoRequest{User: approver, Reason: "broke the nightly export"}},
			wantReply:  ":leftwards_arrow_with_hook: Undone by <@U0APPROVER>",
		},
		{
			name: "undo refused by the workflow", action: slackapp.ActionUndo, state: contract.StateRejected,
			reason:     "oops",
			wantUpdate: fakeCall{undo: &contract.UndoRequest{User: approver, Reason: "oops"}},
			wantReply:  ":information_source: Undo refused: nothing to undo: Rejected. Nothing changed.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := newFakeRemediation(tt.state)
			hs := newHarness(t, wf)
			if tt.openFails {
				hs.api.Script("views.open", slackfake.Reply{Error: "expired_trigger_id"})
			}
			hs.click(t, approver, tt.action, "1700000100.000100")
			opens := hs.api.Calls("views.open")
			if len(opens) != 1 {
				t.Fatalf("views.open calls = %d, want 1", len(opens))
			}
			if got := opens[0].JSON["trigger_id"]; got != "1234.5678.1700000100.000100" {
				t.Errorf("views.open trigger_id = %v", got)
			}
			view, _ := opens[0].JSON["view"].(map[string]any)
			if view["callback_id"] != slackapp.CallbackReason {
				t.Errorf("modal callback_id = %v", view["callback_id"])
			}
			if !tt.openFails {
				if _, calls := wf.snapshot(); len(calls) != 0 {
					t.Fatalf("the click decided before the reason was given: %+v", calls)
				}
				meta, _ := view["private_metadata"].(string)
				code := hs.serve(t, slackRequest(viewSubmission(approver, meta, tt.reason), time.Now(), testSecret))
				if code != http.StatusOK {
					t.Fatalf("submission status = %d", code)
				}
			}
			_, calls := wf.snapshot()
			if len(calls) != 1 {
				t.Fatalf("updates = %+v, want one", calls)
			}
			got := calls[0]
			if got.decision != tt.wantUpdate.decision || (got.undo == nil) != (tt.wantUpdate.undo == nil) ||
				(got.undo != nil && *got.undo != *tt.wantUpdate.undo) {
				t.Errorf("update = %+v %+v, want %+v %+v", got.decision, got.undo, tt.wantUpdate.decision, tt.wantUpdate.undo)
			}
			replies := hs.replies()
			if len(replies) != 1 || !strings.HasPrefix(replies[0], tt.wantReply) {
				t.Errorf("replies = %q, want %q", replies, tt.wantReply)
			}
			// The reply goes to the click's response_url, kept through the modal.
			if rs := hs.api.Calls("response_url"); len(rs) != 1 || rs[0].Path != "/respond/"+approver+"-1700000100.000100" {
				t.Errorf("reply went to %+v", rs)
			}
		})
	}
}

// A submission by someone who is not an approver (a forwarded modal, or
// a member removed from the group meanwhile) changes nothing.
func TestSlackReasonModalRechecksApprover(t *testing.T) {
	wf := newFakeRemediation(contract.StateAwaitingApproval)
	hs := newHarness(t, wf)
	meta := `{"w":"` + testWorkflow + `","m":"` + messageTS + `","c":"C0SEC","a":"rectify_reject"}`
	hs.serve(t, slackRequest(viewSubmission(stranger, meta, "no"), time.Now(), testSecret))
	if _, calls := wf.snapshot(); len(calls) != 0 {
		t.Fatalf("non-approver's reason reached the workflow: %+v", calls)
	}
	// Without a response_url the reply is a chat.postEphemeral.
	eph := hs.api.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != stranger || eph[0].Form.Get("channel") != "C0SEC" {
		t.Fatalf("ephemeral replies = %+v", eph)
	}
}

func TestSlackApproverGroupCache(t *testing.T) {
	wf := newFakeRemediation(contract.StateAwaitingApproval)
	hs := newHarness(t, wf, approverGrp)
	check := func(user string, want bool) {
		t.Helper()
		via, ok, err := slackapp.CheckApprover(context.Background(), hs.h, user)
		if err != nil || ok != want || (ok && via != approverGrp) {
			t.Fatalf("check(%s) = %q, %v, %v; want allowed=%v via the group", user, via, ok, err, want)
		}
	}
	lookups := func() int { return len(hs.api.Calls("usergroups.users.list")) }

	check(groupie, true)
	check(stranger, false)
	check(groupie, true)
	if n := lookups(); n != 1 {
		t.Fatalf("usergroups.users.list calls = %d within the TTL, want 1", n)
	}
	if got := hs.api.Calls("usergroups.users.list")[0].Form.Get("usergroup"); got != approverGrp {
		t.Errorf("looked up group %q", got)
	}

	// Removed from the group: allowed until the cache expires, then not.
	hs.api.SetGroup(approverGrp, "U0OTHER")
	check(groupie, true)
	hs.now = hs.now.Add(5*time.Minute + time.Second)
	check(groupie, false)
	if n := lookups(); n != 2 {
		t.Fatalf("usergroups.users.list calls = %d after the TTL, want 2", n)
	}

	// Slack failing: no stale answer is trusted.
	hs.now = hs.now.Add(time.Hour)
	hs.api.Script("usergroups.users.list", slackfake.Reply{Status: 429, RetryAfter: 3})
	if _, ok, err := slackapp.CheckApprover(context.Background(), hs.h, "U0OTHER"); ok || err == nil {
		t.Errorf("check during a Slack failure = %v, %v; want refused with an error", ok, err)
	}
}

// Slack gives up on a request after 3 s; the 200 must not wait for the
// Update.
func TestSlackAcknowledgesBeforeDeciding(t *testing.T) {
	wf := newFakeRemediation(contract.StateAwaitingApproval)
	wf.block = make(chan struct{})
	hs := newHarness(t, wf)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		hs.h.ServeHTTP(w, slackRequest(blockActions(hs.api, approver, slackapp.ActionApprove, "1"), time.Now(), testSecret))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("ServeHTTP waited for the Update")
	}
	if w.Code != http.StatusOK {
		t.Errorf("status = %d", w.Code)
	}
	close(wf.block)
	hs.h.Wait()
	if state, _ := wf.snapshot(); state != contract.StateApproved {
		t.Errorf("state after the background Update = %s", state)
	}
}

func TestNewSlackHandlerNeeds(t *testing.T) {
	client := slackapp.NewClient(config.Slack{BotToken: testToken})
	decide := newFakeRemediation("").decide
	tests := []struct {
		name string
		cfg  slackapp.HandlerConfig
		want string
	}{
		{"signing secret", slackapp.HandlerConfig{Client: client, Decide: decide}, "SLACK_SIGNING_SECRET"},
		{"client", slackapp.HandlerConfig{SigningSecret: testSecret, Decide: decide}, "client"},
		{"decide", slackapp.HandlerConfig{SigningSecret: testSecret, Client: client}, "decide"},
	}
	for _, tt := range tests {
		if _, err := slackapp.NewHandler(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want it to name %q", tt.name, err, tt.want)
		}
	}
}

// response_url expires after 30 minutes; the reply then goes through
// chat.postEphemeral.
func TestSlackReplyFallsBackToEphemeral(t *testing.T) {
	wf := newFakeRemediation(contract.StateAwaitingApproval)
	hs := newHarness(t, wf)
	p := blockActions(hs.api, stranger, slackapp.ActionApprove, "1700000100.000100")
	p["response_url"] = hs.api.ResponseURL("expired")
	hs.serve(t, slackRequest(p, time.Now(), testSecret))
	eph := hs.api.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != stranger || eph[0].Form.Get("channel") != "C0SEC" ||
		!strings.HasPrefix(eph[0].Form.Get("text"), ":lock:") {
		t.Fatalf("ephemeral replies = %+v", eph)
	}
}
