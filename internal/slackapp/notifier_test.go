package slackapp_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/service/ec2"

	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/slackapp"
	"github.com/rectifyhq/rectify/internal/slackapp/slackfake"
)

const (
	testBotToken   = "xoxb-test-0000-supersecret"
	n_testWorkflow = "remediation/aws.ec2.open_ssh/arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc"
)

func testNotification(state string) contract.Notification {
	return contract.Notification{
		WorkflowID: n_testWorkflow,
		State:      state,
		PolicyID:   "aws.ec2.open_ssh",
		Title:      "Security group allows SSH from the internet",
		Severity:   "HIGH",
		Ref: resource.Ref{
			Type: ec2.TypeSecurityGroup, ID: "sg-0abc", Account: "123456789012", Region: "eu-west-1",
			ARN: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc",
		},
		Message:   "sg-0abc allows tcp 22 from 0.0.0.0/0",
		Actor:     "arn:aws:iam::123456789012:user/bob",
		EventName: "AuthorizeSecurityGroupIngress",
	}
}

func newTestNotifier(t *testing.T) (*slackapp.Notifier, *slackfake.Server, *bytes.Buffer) {
	t.Helper()
	api := slackfake.New(t, testBotToken)
	cfg := config.Default()
	cfg.Temporal.UIURL = "http://temporal.local:8233/"
	cfg.Slack = config.Slack{
		BotToken:       testBotToken,
		APIURL:         api.APIURL(),
		DefaultChannel: "C0DEFAULT",
		Routes: []config.SlackRoute{
			{Severities: []string{"CRITICAL"}, Channel: "C0URGENT"},
			{Policies: []string{"aws.s3.*"}, Channel: "#data-security"},
		},
	}
	var logs bytes.Buffer
	n, err := slackapp.NewNotifier(&cfg, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	return n, api, &logs
}

func TestSlackNotifierFirstMessage(t *testing.T) {
	n, api, _ := newTestNotifier(t)
	msg := testNotification("AwaitingApproval")
	msg.Detail = "approve to revoke sgr-0abc: tcp 22 from 0.0.0.0/0"
	msg.AskApproval = true

	thread, err := n.Notify(context.Background(), msg)
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	posts := api.Calls("chat.postMessage")
	if len(posts) != 1 || len(api.Calls("")) != 1 {
		t.Fatalf("calls = %+v, want one chat.postMessage", api.Calls(""))
	}
	post := posts[0]
	if !strings.HasPrefix(thread, "C0DEFAULT:1700000000.") {
		t.Errorf("thread = %q, want C0DEFAULT:<ts>", thread)
	}
	if got := post.Form.Get("channel"); got != "C0DEFAULT" {
		t.Errorf("channel = %q, want the default channel", got)
	}
	text := post.BlockText()
	for _, want := range []string{
		"Security group allows SSH from the internet",
		":hourglass_flowing_sand: *Awaiting approval*",
		"`arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc`",
		"123456789012 · eu-west-1",
		"`aws.ec2.open_ssh`",
		"*Severity*\nHIGH",
		"`AuthorizeSecurityGroupIngress` by arn:aws:iam::123456789012:user/bob",
		"*Finding*\nsg-0abc allows tcp 22 from 0.0.0.0/0",
		"*Planned remediation*\nrevoke sgr-0abc: tcp 22 from 0.0.0.0/0",
		"<http://temporal.local:8233/namespaces/default/workflows/remediation%2Faws.ec2.open_ssh%2Farn:aws:ec2:eu-west-1:123456789012:security-group%2Fsg-0abc|Open in Temporal UI>",
		"Approve remediation?", // a confirm dialog guards the change
	} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q; text:\n%s", want, text)
		}
	}
	buttons := post.Buttons()
	if len(buttons) != 2 || buttons[slackapp.ActionApprove] != n_testWorkflow || buttons[slackapp.ActionReject] != n_testWorkflow {
		t.Errorf("buttons = %v, want approve and reject carrying the workflow ID", buttons)
	}
	if got := approveConfirm(post); got != "revoke sgr-0abc: tcp 22 from 0.0.0.0/0" {
		t.Errorf("approve confirmation = %q, want the plan", got)
	}
	if got := post.Form.Get("text"); !strings.Contains(got, "[HIGH]") || !strings.Contains(got, "Awaiting approval") {
		t.Errorf("fallback text = %q", got)
	}
}

// approveConfirm is the text of the Approve button's confirmation dialog.
func approveConfirm(c slackfake.Call) string {
	for _, b := range c.Blocks() {
		elems, _ := b["elements"].([]any)
		for _, e := range elems {
			m, _ := e.(map[string]any)
			if m["action_id"] != slackapp.ActionApprove {
				continue
			}
			confirm, _ := m["confirm"].(map[string]any)
			text, _ := confirm["text"].(map[string]any)
			s, _ := text["text"].(string)
			return s
		}
	}
	return ""
}

func TestSlackNotifierLaterStates(t *testing.T) {
	tests := []struct {
		name       string
		state      string
		detail     string
		wantStatus string
		wantReply  string
	}{
		{"approved names the approver", "Approved", "approved by U0APPROVER1",
			":white_check_mark: *Approved* by <@U0APPROVER1>", ":white_check_mark: *Approved* by <@U0APPROVER1>"},
		{"rejected with reason", "Rejected", "rejected by U0APPROVER1: change window is closed",
			"*Rejected* by <@U0APPROVER1>: change window is closed", "*Rejected* by <@U0APPROVER1>: change window is closed"},
		{"remediating says the step", "Remediating", "revoke sgr-0abc: tcp 22 from 0.0.0.0/0",
			":hammer_and_wrench: *Remediating*", ":hammer_and_wrench: *Remediating* — revoke sgr-0abc: tcp 22 from 0.0.0.0/0"},
		{"resolved", "Resolved", "revoked sgr-0abc", ":large_green_circle: *Resolved*", "*Resolved* — revoked sgr-0abc"},
		{"failed", "Failed", "apply revoke: AccessDenied", ":x: *Failed*", ":x: *Failed* — apply revoke: AccessDenied"},
		{"escalated", "Escalated", "violation came back after 3 remediations", ":rotating_light: *Escalated*", "*Escalated* — violation came back"},
		{"expired", "Expired", "no decision within 24h0m0s: left unremediated", ":alarm_clock: *Expired*", "*Expired* — no decision within 24h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, api, _ := newTestNotifier(t)
			first := testNotification("AwaitingApproval")
			first.AskApproval = true
			thread, err := n.Notify(context.Background(), first)
			if err != nil {
				t.Fatal(err)
			}
			api.Reset()

			later := testNotification(tt.state)
			later.Detail, later.Thread = tt.detail, thread
			got, err := n.Notify(context.Background(), later)
			if err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if got != thread {
				t.Errorf("thread = %q, want the first message's %q", got, thread)
			}
			channel, ts, _ := strings.Cut(thread, ":")
			updates := api.Calls("chat.update")
			if len(updates) != 1 {
				t.Fatalf("chat.update calls = %d, want 1", len(updates))
			}
			up := updates[0]
			if up.Form.Get("channel") != channel || up.Form.Get("ts") != ts {
				t.Errorf("update of %s:%s, want the first message %s", up.Form.Get("channel"), up.Form.Get("ts"), thread)
			}
			if !strings.Contains(up.BlockText(), tt.wantStatus) {
				t.Errorf("updated message lacks %q:\n%s", tt.wantStatus, up.BlockText())
			}
			if b := up.Buttons(); len(b) != 0 {
				t.Errorf("buttons after the decision: %v", b)
			}
			if !strings.Contains(up.BlockText(), "Open in Temporal UI") {
				t.Error("updated message lost the Temporal UI link")
			}
			replies := api.Calls("chat.postMessage")
			if len(replies) != 1 {
				t.Fatalf("thread replies = %d, want 1", len(replies))
			}
			r := replies[0]
			if r.Form.Get("thread_ts") != ts || r.Form.Get("channel") != channel {
				t.Errorf("reply to %s/%s, want thread %s", r.Form.Get("channel"), r.Form.Get("thread_ts"), thread)
			}
			if !strings.Contains(r.Form.Get("text"), tt.wantReply) {
				t.Errorf("reply = %q, want %q", r.Form.Get("text"), tt.wantReply)
			}
		})
	}
}

func TestSlackNotifierRouting(t *testing.T) {
	tests := []struct {
		policy, severity, wantChannel, wantThread string
	}{
		{"aws.ec2.open_ssh", "CRITICAL", "C0URGENT", "C0URGENT:"},
		{"aws.s3.public_access_block", "HIGH", "#data-security", "CDATA-SECURITY:"}, // a name answers with an ID
		{"aws.ec2.open_ssh", "HIGH", "C0DEFAULT", "C0DEFAULT:"},
	}
	for _, tt := range tests {
		n, api, _ := newTestNotifier(t)
		msg := testNotification("Notified")
		msg.PolicyID, msg.Severity = tt.policy, tt.severity
		thread, err := n.Notify(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if got := api.Calls("chat.postMessage")[0].Form.Get("channel"); got != tt.wantChannel {
			t.Errorf("%s/%s posted to %s, want %s", tt.policy, tt.severity, got, tt.wantChannel)
		}
		if !strings.HasPrefix(thread, tt.wantThread) {
			t.Errorf("%s/%s thread = %s, want the channel ID %s…", tt.policy, tt.severity, thread, tt.wantThread)
		}
	}
}

func TestSlackNotifierErrors(t *testing.T) {
	tests := []struct {
		name          string
		method        string
		reply         slackfake.Reply
		thread        bool
		wantType      string
		wantRetryable bool
		wantDelay     time.Duration
	}{
		{"rate limit on post", "chat.postMessage", slackfake.Reply{Status: 429, RetryAfter: 7}, false, slackapp.ErrSlackRateLimited, true, 7 * time.Second},
		{"rate limit on update", "chat.update", slackfake.Reply{Status: 429, RetryAfter: 30}, true, slackapp.ErrSlackRateLimited, true, 30 * time.Second},
		{"rate limit without delay", "chat.postMessage", slackfake.Reply{Status: 429, RetryAfter: 0}, false, slackapp.ErrSlackRateLimited, true, time.Second},
		{"channel not found", "chat.postMessage", slackfake.Reply{Error: "channel_not_found"}, false, "channel_not_found", false, 0},
		{"bot not in channel", "chat.postMessage", slackfake.Reply{Error: "not_in_channel"}, false, "not_in_channel", false, 0},
		{"invalid auth on update", "chat.update", slackfake.Reply{Error: "invalid_auth"}, true, "invalid_auth", false, 0},
		{"slack error is retried", "chat.postMessage", slackfake.Reply{Error: "internal_error"}, false, "internal_error", true, 0},
		{"server error", "chat.postMessage", slackfake.Reply{Status: 503}, false, slackapp.ErrSlackHTTP, true, 0},
		{"wrong api url", "chat.postMessage", slackfake.Reply{Status: 404}, false, slackapp.ErrSlackHTTP, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, api, logs := newTestNotifier(t)
			msg := testNotification("Remediating")
			if tt.thread {
				msg.Thread = "C0DEFAULT:1700000000.000001"
			}
			api.Script(tt.method, tt.reply)
			_, err := n.Notify(context.Background(), msg)
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) {
				t.Fatalf("Notify error = %v, want a temporal application error", err)
			}
			if appErr.Type() != tt.wantType || appErr.NonRetryable() == tt.wantRetryable {
				t.Errorf("error type %q retryable=%v, want %q retryable=%v (%v)", appErr.Type(), !appErr.NonRetryable(), tt.wantType, tt.wantRetryable, err)
			}
			if appErr.NextRetryDelay() != tt.wantDelay {
				t.Errorf("next retry delay = %s, want %s", appErr.NextRetryDelay(), tt.wantDelay)
			}
			if strings.Contains(err.Error(), testBotToken) || strings.Contains(logs.String(), testBotToken) {
				t.Errorf("bot token leaked: error %q, logs %q", err, logs)
			}
		})
	}
}

// A message someone deleted is posted again, so later states are not lost.
func TestSlackNotifierDeletedMessage(t *testing.T) {
	n, api, _ := newTestNotifier(t)
	api.Script("chat.update", slackfake.Reply{Error: "message_not_found"})
	msg := testNotification("Resolved")
	msg.Thread = "C0DEFAULT:1600000000.000001"
	thread, err := n.Notify(context.Background(), msg)
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	posts := api.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != "" {
		t.Fatalf("posts = %+v, want one new top-level message", posts)
	}
	if thread == msg.Thread || !strings.HasPrefix(thread, "C0DEFAULT:1700000000.") {
		t.Errorf("thread = %q, want the new message", thread)
	}
}

func TestSlackTextIsEscaped(t *testing.T) {
	n, api, _ := newTestNotifier(t)
	msg := testNotification("Notified")
	msg.Message = "bucket <b> & <!channel>"
	if _, err := n.Notify(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	text := api.Calls("chat.postMessage")[0].BlockText()
	if strings.Contains(text, "<!channel>") || !strings.Contains(text, "bucket &lt;b&gt; &amp; &lt;!channel&gt;") {
		t.Errorf("cloud text not escaped:\n%s", text)
	}
}

func TestParseSlackThread(t *testing.T) {
	tests := []struct {
		in          string
		channel, ts string
		ok          bool
	}{
		{"C0123:1700000000.000100", "C0123", "1700000000.000100", true},
		{"", "", "", false},
		{"C0123", "", "", false},
		{":1700000000.000100", "", "", false},
		{"C0123:", "", "", false},
		{"log:thing:x", "", "", false},
	}
	for _, tt := range tests {
		channel, ts, ok := slackapp.ParseThread(tt.in)
		if ok != tt.ok || (ok && (channel != tt.channel || ts != tt.ts)) {
			t.Errorf("parseSlackThread(%q) = %q, %q, %v", tt.in, channel, ts, ok)
		}
	}
}

func TestSlackNotifierUndoButton(t *testing.T) {
	n, api, _ := newTestNotifier(t)
	msg := testNotification("Resolved")
	msg.Detail, msg.AskUndo, msg.Thread = "revoked sgr-0abc", true, "C0DEFAULT:1700000000.000001"
	if _, err := n.Notify(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	up := api.Calls("chat.update")[0]
	if b := up.Buttons(); len(b) != 1 || b[slackapp.ActionUndo] != n_testWorkflow {
		t.Errorf("buttons = %v, want only Undo carrying the workflow ID", b)
	}
	if !strings.Contains(up.BlockText(), "Undo remediation?") {
		t.Errorf("undo has no confirmation:\n%s", up.BlockText())
	}
}

// Reminders and escalation mentions are thread replies only: the message
// is not re-rendered, and the handle does not change.
func TestSlackNotifierReplyOnly(t *testing.T) {
	tests := []struct {
		name        string
		thread      string
		reply       string
		wantChannel string
		wantTS      string
		wantText    string
	}{
		{"reminder in thread", "C0DEFAULT:1700000000.000001", "Reminder: still awaiting approval to revoke sgr-0abc",
			"C0DEFAULT", "1700000000.000001", "Reminder: still awaiting approval to revoke sgr-0abc"},
		{"escalation mentions", "C0DEFAULT:1700000000.000001", "@here: no decision yet; S0ONCALL1 please look",
			"C0DEFAULT", "1700000000.000001", "<!here>: no decision yet; <!subteam^S0ONCALL1> please look"},
		{"no message yet", "", "Reminder", "C0DEFAULT", "", "Reminder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, api, _ := newTestNotifier(t)
			msg := testNotification("AwaitingApproval")
			msg.Thread, msg.Reply = tt.thread, tt.reply
			thread, err := n.Notify(context.Background(), msg)
			if err != nil {
				t.Fatal(err)
			}
			if thread != tt.thread {
				t.Errorf("thread = %q, want it unchanged %q", thread, tt.thread)
			}
			if len(api.Calls("chat.update")) != 0 {
				t.Error("a reply re-rendered the message")
			}
			posts := api.Calls("chat.postMessage")
			if len(posts) != 1 {
				t.Fatalf("posts = %d, want 1", len(posts))
			}
			p := posts[0]
			if p.Form.Get("channel") != tt.wantChannel || p.Form.Get("thread_ts") != tt.wantTS || p.Form.Get("text") != tt.wantText {
				t.Errorf("reply = channel %s thread %s text %q, want %s %s %q", p.Form.Get("channel"), p.Form.Get("thread_ts"), p.Form.Get("text"), tt.wantChannel, tt.wantTS, tt.wantText)
			}
		})
	}
}
