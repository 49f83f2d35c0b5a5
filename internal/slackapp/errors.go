package slackapp

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/slack-go/slack"
	"go.temporal.io/sdk/temporal"
)

// Error types of Slack failures that are not a Slack error code.
const (
	// ErrSlackRateLimited is an HTTP 429; the retry waits for Retry-After.
	ErrSlackRateLimited = "SlackRateLimited"
	// ErrSlackHTTP is an unexpected HTTP status from the API.
	ErrSlackHTTP = "SlackHTTPStatus"
	// ErrSlackUnavailable is a network failure or timeout.
	ErrSlackUnavailable = "SlackUnavailable"
)

// slackPermanent are Slack error codes that a retry cannot fix: the token,
// the app's scopes, the channel or the message must be fixed by a person.
var slackPermanent = []string{
	"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
	"no_permission", "missing_scope", "not_allowed_token_type", "team_access_not_granted",
	"ekm_access_denied", "restricted_action", "channel_not_found", "is_archived", "not_in_channel",
	"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
	"cant_update_message", "edit_window_closed",
}

// minRateLimitDelay stands in for a 429 without a usable Retry-After.
const minRateLimitDelay = time.Second

// slackError turns a slack-go error into a Temporal application error. The
// type is the Slack error code (or one of the ErrSlack* types), so retry
// policies can match it by name, as they do AWS codes. A rate limit is
// retried after exactly Retry-After. Messages carry the method and the
// code, never the request: the token travels in the request body only.
func slackError(op string, err error) error {
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		delay := max(limited.RetryAfter, minRateLimitDelay)
		return temporal.NewApplicationErrorWithOptions(
			fmt.Sprintf("%s: rate limited by Slack, retry after %s", op, delay), ErrSlackRateLimited,
			temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: delay})
	}
	var apiErr slack.SlackErrorResponse
	if errors.As(err, &apiErr) {
		msg := fmt.Sprintf("%s: %s", op, apiErr.Err)
		if apiErr.Needed != "" {
			msg += fmt.Sprintf(" (needs scope %s: add it to the Slack app, see `rectify slack manifest`)", apiErr.Needed)
		}
		if slices.Contains(slackPermanent, apiErr.Err) {
			return temporal.NewNonRetryableApplicationError(msg, apiErr.Err, err)
		}
		return temporal.NewApplicationErrorWithCause(msg, apiErr.Err, err)
	}
	var status slack.StatusCodeError
	if errors.As(err, &status) {
		msg := fmt.Sprintf("%s: HTTP %d from Slack", op, status.Code)
		if status.Code >= http.StatusInternalServerError || status.Code == http.StatusRequestTimeout {
			return temporal.NewApplicationErrorWithCause(msg, ErrSlackHTTP, err)
		}
		// Another 4xx means the API URL or a proxy is wrong, not busy.
		return temporal.NewNonRetryableApplicationError(msg, ErrSlackHTTP, err)
	}
	return temporal.NewApplicationErrorWithCause(fmt.Sprintf("%s: %v", op, err), ErrSlackUnavailable, err)
}

// slackCode is the Slack error code of err, or "".
func slackCode(err error) string {
	var apiErr slack.SlackErrorResponse
	if errors.As(err, &apiErr) {
		return apiErr.Err
	}
	return ""
}
