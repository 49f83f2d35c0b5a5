package slackfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/slackapp"
)

// Sign computes X-Slack-Signature the way Slack does: v0= HMAC-SHA256 of
// "v0:<timestamp>:<body>" with the signing secret.
func Sign(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Interaction is a signed interaction request, form-encoded as Slack sends
// it, for target (a path, or a full URL to send with an HTTP client).
func Interaction(target string, payload any, ts time.Time, secret string) *http.Request {
	js, _ := json.Marshal(payload)
	body := url.Values{"payload": {string(js)}}.Encode()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.RequestURI = ""
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", Sign(secret, stamp, body))
	return r
}

// Click describes a button click on a rectify message.
type Click struct {
	User, ActionID, ActionTS string
	WorkflowID               string
	Channel, MessageTS       string
	ResponseURL              string
}

// BlockActions is the block_actions payload of a click, shaped like Slack's.
func BlockActions(c Click) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": c.User, "username": strings.ToLower(c.User), "team_id": "T0TEAM"},
		"api_app_id":   "A0APP",
		"token":        "legacy-verification-token",
		"container":    map[string]any{"type": "message", "message_ts": c.MessageTS, "channel_id": c.Channel, "is_ephemeral": false},
		"trigger_id":   "1234.5678." + c.ActionTS,
		"team":         map[string]any{"id": "T0TEAM", "domain": "acme"},
		"channel":      map[string]any{"id": c.Channel, "name": "security"},
		"message":      map[string]any{"type": "message", "ts": c.MessageTS, "text": "rectify violation"},
		"response_url": c.ResponseURL,
		"actions": []any{map[string]any{
			"action_id": c.ActionID, "block_id": slackapp.BlockDecision, "type": "button",
			"text": map[string]any{"type": "plain_text", "text": c.ActionID}, "value": c.WorkflowID, "action_ts": c.ActionTS,
		}},
	}
}

// ViewSubmission is a submitted reason modal, shaped like Slack's.
func ViewSubmission(user, metadata, reason string) map[string]any {
	return map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": "T0TEAM"},
		"user": map[string]any{"id": user},
		"view": map[string]any{
			"id": "V0FAKE", "type": "modal", "callback_id": slackapp.CallbackReason, "private_metadata": metadata,
			"state": map[string]any{"values": map[string]any{
				slackapp.BlockReason: map[string]any{slackapp.ActionReason: map[string]any{"type": "plain_text_input", "value": reason}},
			}},
		},
	}
}
