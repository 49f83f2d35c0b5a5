package slackapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/contract"
)

// refusal matches the decide validator's message for a violation that is
// no longer waiting: "not awaiting approval: already <State>[ by <user>]",
// or "already decided by <user>" for a decision not applied yet.
var refusal = regexp.MustCompile(`not awaiting approval: already (\w+)(?: by ([^\s()]+))?`)

// notApprover matches the validator's message for a user it does not list.
const notApprover = "is not an approver of"

// reply tells the clicking user the outcome, visible to them only:
// through response_url when the click has one, else chat.postEphemeral.
// A reply that cannot be delivered is logged; the decision stands.
func (h *Handler) reply(ctx context.Context, log *slog.Logger, c click, text string) {
	if c.ResponseURL != "" {
		err := slack.PostWebhookCustomHTTPContext(ctx, c.ResponseURL, h.cfg.HTTPClient, &slack.WebhookMessage{
			Text: text, ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: false,
		})
		if err == nil {
			return
		}
		// response_url lasts 30 minutes and 5 uses; the bot can still reach
		// the user directly.
		log.WarnContext(ctx, "slack response_url failed; replying ephemerally", "err", withoutURL(err))
	}
	if c.Channel == "" || c.User == "" {
		log.WarnContext(ctx, "slack reply has nowhere to go", "text", text)
		return
	}
	if _, err := h.cfg.Client.PostEphemeralContext(ctx, c.Channel, c.User, slack.MsgOptionText(text, false)); err != nil {
		log.WarnContext(ctx, "slack ephemeral reply failed", "err", err, "channel", c.Channel)
	}
}

// withoutURL drops the URL from a transport error: a response_url is a
// capability to post to the user, and does not belong in logs.
func withoutURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("%s response_url: %w", uerr.Op, uerr.Err)
	}
	return err
}

func notAllowedText(user string) string {
	return ":lock: " + Mention(user) + " is not an approver of this violation, so nothing changed. " +
		"Approvers are the Slack user and user-group IDs listed under `approvers` in rectify's configuration."
}

// outcomeText says what became of a decision, in words for the user who
// clicked.
func (h *Handler) outcomeText(ctx context.Context, workflowID string, d contract.Decision, res contract.DecisionResult, err error) string {
	if err == nil {
		icon := ":white_check_mark: "
		text := Mentionify(capitalize(res.Message))
		if !d.Approve {
			icon = ":no_entry_sign: "
			if d.Reason != "" {
				text += ": " + Escape(d.Reason)
			}
		}
		return icon + text + ". The message follows the workflow from here."
	}
	if m := refusal.FindStringSubmatch(err.Error()); m != nil {
		return decidedText(m[1], m[2])
	}
	if strings.Contains(err.Error(), notApprover) {
		return notAllowedText(d.User)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return h.closedText(ctx, workflowID)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ":hourglass: rectify did not hear back from the workflow in time. Your decision may still apply: watch the message."
	}
	return ":warning: rectify could not record your decision: " + Escape(clip(appMessage(err), 300))
}

// undoText says what became of an undo.
func (h *Handler) undoText(ctx context.Context, workflowID string, u contract.UndoRequest, res contract.DecisionResult, err error) string {
	switch {
	case err == nil && res.State == contract.StateFailed:
		return ":x: Undo failed: " + Mentionify(res.Message) + ". The message has the details."
	case err == nil:
		text := res.Message
		if text == "" {
			text = "undo requested by " + u.User
		}
		return ":leftwards_arrow_with_hook: " + Mentionify(capitalize(text)) + ". The message follows the workflow from here."
	}
	if strings.Contains(err.Error(), notApprover) {
		return notAllowedText(u.User)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return ":information_source: This violation is closed: its undo window has passed. Nothing changed."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ":hourglass: rectify did not hear back from the workflow in time. The undo may still apply: watch the message."
	}
	return ":information_source: Undo refused: " + Mentionify(clip(appMessage(err), 300)) + ". Nothing changed."
}

// appMessage is the message of the innermost application error (what the
// workflow's validator said), without the SDK's type and retry suffixes.
func appMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}

// closedText explains a click on a workflow that has completed, from its
// final status when the Status query can tell.
func (h *Handler) closedText(ctx context.Context, workflowID string) string {
	if h.cfg.Status != nil {
		st, err := h.cfg.Status(ctx, workflowID)
		if err == nil {
			return decidedText(st.State, st.DecidedBy)
		}
		h.log.DebugContext(ctx, "status of closed workflow unavailable", "workflow_id", workflowID, "err", err)
	}
	return ":information_source: This violation is closed: its approval expired or was already decided. Nothing changed."
}

// decidedText answers a click on a violation no longer awaiting approval.
func decidedText(state, by string) string {
	switch {
	case state == contract.StateExpired:
		return ":alarm_clock: This approval has expired: nobody decided in time, so the policy's timeout default applied. Nothing changed."
	case by == "timeout":
		return ":alarm_clock: This approval has expired: the policy's timeout default was to remediate. Nothing changed."
	case by != "" && state == "decided":
		// Decided in the same workflow task; the state has not moved yet.
		return ":information_source: Already decided by " + Mention(by) + ". Nothing changed."
	case by != "":
		return ":information_source: Already decided by " + Mention(by) + " (" + strings.ToLower(state) + "). Nothing changed."
	}
	return ":information_source: This violation is no longer awaiting approval (" + strings.ToLower(state) + "). Nothing changed."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
