package slackapp

import (
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rectifyhq/rectify/internal/config"
)

// callTimeout bounds one Slack API call; Slack answers in well under a
// second, and a hung call must not eat an activity's whole attempt.
const callTimeout = 10 * time.Second

// NewClient builds the bot's API client. It does not retry by itself:
// callers turn a 429 into a Temporal retry (notifier) or a reply to the
// user (endpoint), so a rate limit is visible and durable rather than a
// hidden sleep.
func NewClient(s config.Slack) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: callTimeout})}
	if s.APIURL != "" {
		// slack-go appends the method name to the URL as is.
		u := s.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	return slack.New(s.BotToken.Reveal(), opts...)
}
