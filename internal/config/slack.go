package config

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// Slack configures the Slack notifier (worker) and the interactions
// endpoint (starter). Slack is on when a bot token is set.
//
// The bot token and the signing secret are never read from the YAML file
// itself: they come from SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET, or from the
// files named by bot_token_file / signing_secret_file (or the *_FILE
// variables), so a config file can be committed and printed safely.
type Slack struct {
	BotToken      Secret `yaml:"-"`
	SigningSecret Secret `yaml:"-"`
	// BotTokenFile and SigningSecretFile are paths to files holding the
	// secrets (a mounted Kubernetes or Docker secret).
	BotTokenFile      string `yaml:"bot_token_file"`
	SigningSecretFile string `yaml:"signing_secret_file"`
	// APIURL overrides https://slack.com/api/, for tests and proxies.
	APIURL string `yaml:"api_url"`
	// DefaultChannel receives every violation no route claims (an ID such as
	// C0123ABCD, or a name such as #security).
	DefaultChannel string `yaml:"default_channel"`
	// Routes send violations to other channels; the first match wins.
	Routes []SlackRoute `yaml:"routes"`
	// ApproverCacheTTL is how long the members of an approver user group
	// are trusted before usergroups.users.list is asked again.
	ApproverCacheTTL Duration `yaml:"approver_cache_ttl"`
}

// SlackRoute sends the violations of some policies and/or severities to a
// channel. An empty list matches everything, so a route may name policies,
// severities or both.
type SlackRoute struct {
	// Policies are policy ids or path.Match globs ("aws.s3.*").
	Policies []string `yaml:"policies"`
	// Severities are ASFF labels: INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL.
	Severities []string `yaml:"severities"`
	Channel    string   `yaml:"channel"`
}

// severityLabels are the ASFF Severity.Label values, the same set a
// policy's METADATA may declare.
var severityLabels = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// defaultApproverCacheTTL bounds how long a person removed from an
// approver group can still click Approve.
const defaultApproverCacheTTL = 5 * time.Minute

// Secret is a credential. It prints as "[redacted]" through fmt, slog and
// YAML/JSON encoders, so it cannot leak through a logged config; read it
// with Reveal where it is used.
type Secret string

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// String hides the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// MarshalText hides the secret from encoders (JSON, YAML, slog handlers).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Enabled reports whether Slack is configured (a bot token is set).
func (s Slack) Enabled() bool { return s.BotToken != "" }

// CacheTTL is ApproverCacheTTL or its default.
func (s Slack) CacheTTL() time.Duration {
	if s.ApproverCacheTTL > 0 {
		return time.Duration(s.ApproverCacheTTL)
	}
	return defaultApproverCacheTTL
}

// Channel routes a violation: the first route whose policies and
// severities both match, else the default channel.
func (s Slack) Channel(policyID, severity string) string {
	for _, r := range s.Routes {
		if r.matches(policyID, severity) {
			return r.Channel
		}
	}
	return s.DefaultChannel
}

func (r SlackRoute) matches(policyID, severity string) bool {
	if len(r.Severities) > 0 && !slices.ContainsFunc(r.Severities, func(s string) bool { return strings.EqualFold(s, severity) }) {
		return false
	}
	if len(r.Policies) == 0 {
		return true
	}
	return slices.ContainsFunc(r.Policies, func(p string) bool {
		ok, _ := path.Match(p, policyID) // patterns are checked by validate
		return ok
	})
}

// loadSecrets fills the secrets from their files when no variable set
// them directly. The error names the file, never its content.
func (s *Slack) loadSecrets() error {
	read := func(at, file string, into *Secret) error {
		if *into != "" || file == "" {
			return nil
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		if v := strings.TrimSpace(string(b)); v != "" {
			*into = Secret(v)
			return nil
		}
		return fmt.Errorf("%s: %s is empty", at, file)
	}
	if err := read("slack.bot_token_file", s.BotTokenFile, &s.BotToken); err != nil {
		return err
	}
	return read("slack.signing_secret_file", s.SigningSecretFile, &s.SigningSecret)
}

func (s Slack) validate() error {
	if !s.Enabled() {
		return nil
	}
	if s.DefaultChannel == "" {
		return errors.New("slack.default_channel: required when a Slack bot token is set")
	}
	for i, r := range s.Routes {
		at := fmt.Sprintf("slack.routes[%d]", i)
		if r.Channel == "" {
			return fmt.Errorf("%s.channel: required", at)
		}
		if len(r.Policies) == 0 && len(r.Severities) == 0 {
			return fmt.Errorf("%s: name policies, severities or both (a route matching everything hides default_channel)", at)
		}
		for _, p := range r.Policies {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("%s.policies: %q: %w", at, p, err)
			}
		}
		for _, sev := range r.Severities {
			if !slices.Contains(severityLabels, strings.ToUpper(sev)) {
				return fmt.Errorf("%s.severities: %q: want one of %s", at, sev, strings.Join(severityLabels, ", "))
			}
		}
	}
	return nil
}
