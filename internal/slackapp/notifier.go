package slackapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
)

// SlackNotifier posts one Block Kit message per violation, updates it in
// place at each state change and threads a reply under it for each step,
// so the channel shows the whole story in one place.
//
// Its thread handle is "<channel id>:<message ts>". It never logs or
// returns the bot token: slack-go sends it in the request body, and errors
// carry only the method and Slack's error code.
type Notifier struct {
	client    *slack.Client
	slack     config.Slack
	uiURL     string
	namespace string
	log       *slog.Logger
}

// NewSlackNotifier builds the notifier from the slack and temporal
// sections of cfg (routes, default channel, API URL, Temporal UI link).
func NewNotifier(cfg *config.Config, log *slog.Logger) (*Notifier, error) {
	if !cfg.Slack.Enabled() {
		return nil, errors.New("slack notifier: no bot token (set SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE)")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{
		client:    NewClient(cfg.Slack),
		slack:     cfg.Slack,
		uiURL:     cfg.Temporal.UIURL,
		namespace: cfg.Temporal.Namespace,
		log:       log,
	}, nil
}

// Notify posts the first message of a violation, or updates it and adds a
// thread reply for a later state. A retried attempt repeats the update
// (harmless) and the reply.
func (s *Notifier) Notify(ctx context.Context, n contract.Notification) (string, error) {
	log := s.log.With("workflow_id", n.WorkflowID, "policy", n.PolicyID, "resource", n.Ref.ARN, "state", n.State)
	if n.Reply != "" {
		return n.Thread, s.replyOnly(ctx, log, n)
	}
	msg := buildSlackMessage(n, contract.WorkflowURL(s.uiURL, s.namespace, n.WorkflowID))
	if n.Thread != "" {
		channel, ts, ok := parseSlackThread(n.Thread)
		if ok {
			err := s.update(ctx, channel, ts, n, msg)
			if slackCode(err) != "message_not_found" {
				return n.Thread, err
			}
			// Someone deleted the message: start a new one rather than
			// lose every later state.
			log.WarnContext(ctx, "slack message was deleted; posting a new one", "channel", channel)
		} else {
			// A handle from another notifier (the log notifier before Slack
			// was configured): this violation has no message yet.
			log.InfoContext(ctx, "no slack message for this violation yet; posting one")
		}
	}
	channel := s.slack.Channel(n.PolicyID, n.Severity)
	gotChannel, ts, err := s.client.PostMessageContext(ctx, channel, msgOptions(msg)...)
	if err != nil {
		return "", slackError("chat.postMessage to "+channel, err)
	}
	log.InfoContext(ctx, "slack message posted", "channel", gotChannel, "ts", ts)
	// chat.update needs the channel ID, which a configured name is not.
	return gotChannel + ":" + ts, nil
}

func (s *Notifier) update(ctx context.Context, channel, ts string, n contract.Notification, msg slackMessage) error {
	if _, _, _, err := s.client.UpdateMessageContext(ctx, channel, ts, msgOptions(msg)...); err != nil {
		if slackCode(err) == "message_not_found" {
			return err
		}
		return slackError(fmt.Sprintf("chat.update %s:%s", channel, ts), err)
	}
	_, _, err := s.client.PostMessageContext(ctx, channel,
		slack.MsgOptionTS(ts), slack.MsgOptionText(slackStep(n), false))
	if err != nil {
		return slackError(fmt.Sprintf("chat.postMessage thread %s:%s", channel, ts), err)
	}
	return nil
}

// replyOnly posts a reminder or an escalation mention under the message,
// leaving the message as it is. Without a message yet, it goes to the
// routed channel, and the handle stays empty so the next state still
// posts the full message.
func (s *Notifier) replyOnly(ctx context.Context, log *slog.Logger, n contract.Notification) error {
	// The reply is written by the workflow from config, so it may notify a
	// group or @here on purpose.
	opts := []slack.MsgOption{slack.MsgOptionText(slackClip(MentionifyAll(n.Reply), maxSection), false)}
	channel, ts, ok := parseSlackThread(n.Thread)
	if ok {
		opts = append(opts, slack.MsgOptionTS(ts))
	} else {
		channel = s.slack.Channel(n.PolicyID, n.Severity)
		log.InfoContext(ctx, "no slack message to reply under; posting the reply alone", "channel", channel)
	}
	if _, _, err := s.client.PostMessageContext(ctx, channel, opts...); err != nil {
		return slackError("chat.postMessage reply to "+channel, err)
	}
	return nil
}

func msgOptions(m slackMessage) []slack.MsgOption {
	// Text is already escaped; slack-go must not escape it again.
	return []slack.MsgOption{slack.MsgOptionText(m.text, false), slack.MsgOptionBlocks(m.blocks...)}
}

// parseSlackThread splits a "<channel>:<ts>" handle. Channel IDs and
// timestamps never hold a colon.
func parseSlackThread(thread string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(thread, ":")
	return channel, ts, ok && channel != "" && ts != "" && !strings.Contains(ts, ":")
}
