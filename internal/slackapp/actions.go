package slackapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rectifyhq/rectify/internal/contract"
)

// click is one decision a Slack user asked for.
type click struct {
	WorkflowID string `json:"w"`
	// MessageTS is the violation message the buttons were on.
	MessageTS string `json:"m"`
	// ResponseURL and Channel are where the outcome is replied.
	ResponseURL string `json:"u,omitempty"`
	Channel     string `json:"c,omitempty"`
	// ActionID is the button, so a submitted reason knows what it is for.
	ActionID string `json:"a"`
	User     string `json:"-"`
	// Via is the approver group the user decides through, if any.
	Via string `json:"-"`
}

// updateID makes the clicks of one user on one button of one message a
// single Update: Temporal answers a repeated UpdateID with the first
// result. Slack gives each click its own action_ts, so action_ts is left
// out on purpose; otherwise a double click would be two Updates.
func (c click) updateID() string {
	sum := sha256.Sum256([]byte(strings.Join([]string{c.WorkflowID, c.MessageTS, c.User, c.ActionID}, "\x00")))
	return "slack-" + hex.EncodeToString(sum[:16])
}

func (c click) logger(log *slog.Logger) *slog.Logger {
	return log.With("workflow_id", c.WorkflowID, "user", c.User, "action", c.ActionID)
}

// decisionAction finds the Approve, Reject or Undo button among the
// actions.
func decisionAction(ic slack.InteractionCallback) (*slack.BlockAction, bool) {
	for _, a := range ic.ActionCallback.BlockActions {
		switch a.ActionID {
		case ActionApprove, ActionReject, ActionUndo:
			if a.Value != "" {
				return a, true
			}
		}
	}
	return nil, false
}

func newClick(ic slack.InteractionCallback, act *slack.BlockAction) click {
	c := click{
		WorkflowID: act.Value, MessageTS: ic.Container.MessageTs, ResponseURL: ic.ResponseURL,
		Channel: ic.Container.ChannelID, User: ic.User.ID, ActionID: act.ActionID,
	}
	if c.MessageTS == "" {
		c.MessageTS = ic.Message.Timestamp
	}
	if c.Channel == "" {
		c.Channel = ic.Channel.ID
	}
	return c
}

// onClick handles the buttons. Reject and Undo ask for a reason first.
func (h *Handler) onClick(ctx context.Context, ic slack.InteractionCallback, act *slack.BlockAction) {
	c := newClick(ic, act)
	log := c.logger(h.log)
	if !h.allowed(ctx, log, &c) {
		return
	}
	if c.ActionID == ActionApprove {
		h.decide(ctx, log, c, contract.Decision{Approve: true, User: c.User, Via: c.Via})
		return
	}
	if err := h.openReasonModal(ctx, ic.TriggerID, c); err != nil {
		// The click already says what to do; a missing modal must not lose it.
		log.WarnContext(ctx, "reason modal did not open; going on with the default reason", "err", err)
		h.withReason(ctx, log, c, "")
	}
}

// onReason handles a submitted reason modal.
func (h *Handler) onReason(ctx context.Context, ic slack.InteractionCallback) {
	var c click
	if err := json.Unmarshal([]byte(ic.View.PrivateMetadata), &c); err != nil || c.WorkflowID == "" {
		h.log.WarnContext(ctx, "reason modal without its workflow", "err", err, "view", ic.View.ID)
		return
	}
	c.User = ic.User.ID
	log := c.logger(h.log)
	// Checked again: the submitter is who the Update will name.
	if !h.allowed(ctx, log, &c) {
		return
	}
	reason := ""
	if ic.View.State != nil {
		reason = strings.TrimSpace(ic.View.State.Values[BlockReason][ActionReason].Value)
	}
	h.withReason(ctx, log, c, reason)
}

// withReason rejects or undoes, with reason or the default one.
func (h *Handler) withReason(ctx context.Context, log *slog.Logger, c click, reason string) {
	switch c.ActionID {
	case ActionReject:
		if reason == "" {
			reason = h.cfg.DefaultRejectReason
		}
		h.decide(ctx, log, c, contract.Decision{User: c.User, Via: c.Via, Reason: reason})
	case ActionUndo:
		if reason == "" {
			reason = DefaultUndoReason
		}
		h.undo(ctx, log, c, contract.UndoRequest{User: c.User, Via: c.Via, Reason: reason})
	default:
		log.WarnContext(ctx, "reason for an unknown action")
	}
}

// allowed checks the clicking user against the approvers, notes the group
// the user decides through in c.Via, and tells a refused user why; the
// workflow is not touched.
func (h *Handler) allowed(ctx context.Context, log *slog.Logger, c *click) bool {
	via, ok, err := h.approvers.check(ctx, c.User)
	switch {
	case err != nil:
		log.ErrorContext(ctx, "slack approver check failed", "err", err)
		h.reply(ctx, log, *c, ":warning: rectify could not check the approver list just now, so nothing changed. Please try again in a minute.")
		return false
	case !ok:
		log.WarnContext(ctx, "slack user is not an approver")
		h.reply(ctx, log, *c, notAllowedText(c.User))
		return false
	}
	log.DebugContext(ctx, "slack approver", "via", via)
	if via != c.User {
		c.Via = via // a group; a direct approver needs no "via"
	}
	return true
}

// decide sends the Update and replies with its outcome.
func (h *Handler) decide(ctx context.Context, log *slog.Logger, c click, d contract.Decision) {
	id := c.updateID()
	res, err := h.cfg.Decide(ctx, c.WorkflowID, id, d)
	if err != nil {
		log.WarnContext(ctx, "slack decision not applied", "update_id", id, "approve", d.Approve, "err", err)
	} else {
		log.InfoContext(ctx, "slack decision", "update_id", id, "approve", d.Approve, "state", res.State)
	}
	h.reply(ctx, log, c, h.outcomeText(ctx, c.WorkflowID, d, res, err))
}

// undo sends the undo Update and replies with its outcome.
func (h *Handler) undo(ctx context.Context, log *slog.Logger, c click, u contract.UndoRequest) {
	if h.cfg.Undo == nil {
		h.reply(ctx, log, c, ":information_source: Undo from Slack is not enabled here; use `rectify undo "+Escape(c.WorkflowID)+" --as "+c.User+"`.")
		return
	}
	id := c.updateID()
	res, err := h.cfg.Undo(ctx, c.WorkflowID, id, u)
	if err != nil {
		log.WarnContext(ctx, "slack undo not applied", "update_id", id, "err", err)
	} else {
		log.InfoContext(ctx, "slack undo", "update_id", id, "state", res.State)
	}
	h.reply(ctx, log, c, h.undoText(ctx, c.WorkflowID, u, res, err))
}

// openReasonModal asks the rejecting or undoing user why. The click travels in the
// modal's private_metadata, so the submission can name the same workflow,
// message and reply URL.
func (h *Handler) openReasonModal(ctx context.Context, triggerID string, c click) error {
	meta, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode modal metadata: %w", err)
	}
	verb, fallback := "Reject", h.cfg.DefaultRejectReason
	if c.ActionID == ActionUndo {
		verb, fallback = "Undo", DefaultUndoReason
	}
	text := func(typ, s string) *slack.TextBlockObject { return slack.NewTextBlockObject(typ, s, false, false) }
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackReason,
		PrivateMetadata: string(meta),
		Title:           text(slack.PlainTextType, verb+" remediation"),
		Submit:          text(slack.PlainTextType, verb),
		Close:           text(slack.PlainTextType, "Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(text(slack.MarkdownType, verb+" the remediation of `"+Escape(c.WorkflowID)+
				"`?\nThe reason is recorded in the finding and the workflow."), nil, nil),
			slack.NewInputBlock(BlockReason, text(slack.PlainTextType, "Reason"),
				text(slack.PlainTextType, "Left empty: \""+fallback+"\""),
				slack.NewPlainTextInputBlockElement(nil, ActionReason).WithMultiline(true),
			).WithOptional(true),
		}},
	}
	if _, err := h.cfg.Client.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("views.open for %s: %w", c.WorkflowID, err)
	}
	return nil
}
