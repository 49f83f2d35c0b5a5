package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
)

// DecideFunc sends the decide Update to a Remediation: Decide bound to a
// Temporal client in production (TemporalDecide), a fake in unit tests.
type DecideFunc func(ctx context.Context, workflowID, updateID string, d contract.Decision) (contract.DecisionResult, error)

// UndoFunc sends the undo Update to a Remediation (TemporalUndo).
type UndoFunc func(ctx context.Context, workflowID, updateID string, u contract.UndoRequest) (contract.DecisionResult, error)

// StatusFunc queries a Remediation's status (TemporalStatus). The handler
// uses it only to explain a click on a workflow that has already closed.
type StatusFunc func(ctx context.Context, workflowID string) (contract.Status, error)

// Defaults of HandlerConfig.
const (
	// defaultSlackTimeout bounds the work behind one click: the approver
	// check, the Update and the reply. The Update handler itself returns at
	// once, so this is only reached when Temporal or Slack is unwell.
	defaultSlackTimeout = 20 * time.Second
	// DefaultRejectReason is recorded when a reject carries no reason.
	DefaultRejectReason = "rejected in Slack without a reason"
	// DefaultUndoReason is recorded when an undo carries no reason.
	DefaultUndoReason = "undone in Slack without a reason"
	// maxSlackBody bounds a request body; Slack's payloads are a few KiB.
	maxSlackBody = 1 << 20
)

// HandlerConfig is what the interactions endpoint needs.
type HandlerConfig struct {
	// SigningSecret verifies X-Slack-Signature. Required.
	SigningSecret config.Secret
	// Client is the bot's API client, for views.open (the reason modal),
	// chat.postEphemeral and usergroups.users.list. Required.
	Client *slack.Client
	// Approvers are Slack user IDs (U…, W…) and user-group IDs (S…). A
	// click's Decision.User is the clicking user's Slack ID, so the
	// workflow's approver list (config approvers) must hold the same IDs;
	// other entries (CLI user names) never match a click.
	Approvers []string
	// ApproverCacheTTL is how long a group's members are trusted (default 5m).
	ApproverCacheTTL time.Duration
	// Decide sends the Update. Required.
	Decide DecideFunc
	// Undo sends the undo Update. Optional: without it, Undo clicks are
	// answered with the CLI command to use.
	Undo UndoFunc
	// Status explains clicks on closed workflows. Optional.
	Status StatusFunc
	// Timeout bounds the work behind one click (default 20s).
	Timeout time.Duration
	// DefaultRejectReason replaces an empty reason (default DefaultRejectReason).
	DefaultRejectReason string
	// HTTPClient posts to response_url (default: a client with a 10s timeout).
	HTTPClient *http.Client
	Log        *slog.Logger
}

// SlackHandler serves POST /slack/interactions (InteractionsPath).
// It verifies Slack's signature, answers Slack at once (Slack gives up
// after 3 s), and does the rest in the background: the approver check, the
// decide Update, and an ephemeral reply to the clicking user. The message
// itself is updated by the workflow's own notifier, so the channel and the
// Temporal UI never disagree.
type Handler struct {
	cfg       HandlerConfig
	approvers *approverSet
	log       *slog.Logger
	inflight  sync.WaitGroup
}

// NewSlackHandler checks cfg and fills its defaults.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.SigningSecret == "":
		return nil, errors.New("slack interactions: no signing secret (set SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_FILE)")
	case cfg.Client == nil:
		return nil, errors.New("slack interactions: no Slack API client")
	case cfg.Decide == nil:
		return nil, errors.New("slack interactions: no decide function")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultSlackTimeout
	}
	if cfg.DefaultRejectReason == "" {
		cfg.DefaultRejectReason = DefaultRejectReason
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	h := &Handler{
		cfg:       cfg,
		approvers: newApproverSet(cfg.Approvers, cfg.ApproverCacheTTL, cfg.Client),
		log:       cfg.Log,
	}
	if h.approvers.empty() {
		h.log.Warn("no Slack user or user-group IDs among the approvers: every Slack click will be refused")
	}
	return h, nil
}

// NewSlackHandlerFromConfig builds the handler the starter serves, from
// the slack section and the approvers of cfg, deciding through tc.
func NewHandlerFromConfig(cfg *config.Config, tc client.Client, log *slog.Logger) (*Handler, error) {
	return NewHandler(HandlerConfig{
		SigningSecret:    cfg.Slack.SigningSecret,
		Client:           NewClient(cfg.Slack),
		Approvers:        cfg.Approvers,
		ApproverCacheTTL: cfg.Slack.CacheTTL(),
		Decide:           TemporalDecide(tc),
		Undo:             TemporalUndo(tc),
		Status:           TemporalStatus(tc),
		Log:              log,
	})
}

// Wait blocks until the clicks being handled are done: for a graceful
// shutdown, and for tests.
func (h *Handler) Wait() { h.inflight.Wait() }

// ServeHTTP verifies and acknowledges one interaction.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSlackBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := h.verify(r.Header, body); err != nil {
		h.log.Warn("slack request refused", "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid or stale Slack signature", http.StatusUnauthorized)
		return
	}
	ic, err := parseInteraction(body)
	if err != nil {
		h.log.Warn("slack payload unreadable", "err", err)
		http.Error(w, "unreadable interaction payload", http.StatusBadRequest)
		return
	}
	// An empty 200 acknowledges a click, and closes a submitted modal.
	w.WriteHeader(http.StatusOK)
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		if act, ok := decisionAction(ic); ok {
			h.background(r.Context(), func(ctx context.Context) { h.onClick(ctx, ic, act) })
		}
	case slack.InteractionTypeViewSubmission:
		if ic.View.CallbackID == CallbackReason {
			h.background(r.Context(), func(ctx context.Context) { h.onReason(ctx, ic) })
		}
	}
}

// verify checks X-Slack-Signature over the raw body and refuses a
// timestamp more than 5 minutes away, so a captured request cannot be
// replayed later.
func (h *Handler) verify(header http.Header, body []byte) error {
	sv, err := slack.NewSecretsVerifier(header, h.cfg.SigningSecret.Reveal())
	if err != nil {
		return fmt.Errorf("verify signature: %w", err)
	}
	if _, err := sv.Write(body); err != nil {
		return fmt.Errorf("verify signature: %w", err)
	}
	if err := sv.Ensure(); err != nil {
		return fmt.Errorf("verify signature: %w", err)
	}
	return nil
}

func parseInteraction(body []byte) (slack.InteractionCallback, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return slack.InteractionCallback{}, fmt.Errorf("parse form: %w", err)
	}
	payload := form.Get("payload")
	if payload == "" {
		return slack.InteractionCallback{}, errors.New("no payload field")
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		return slack.InteractionCallback{}, fmt.Errorf("parse payload: %w", err)
	}
	return ic, nil
}

// background runs fn after the response, detached from the request's
// cancellation (the request ends when Slack has its 200) but bounded.
func (h *Handler) background(parent context.Context, fn func(ctx context.Context)) {
	h.inflight.Add(1)
	go func() {
		defer h.inflight.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), h.cfg.Timeout)
		defer cancel()
		fn(ctx)
	}()
}
