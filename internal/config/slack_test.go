package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const testToken = "xoxb-1111-2222-supersecret"

func TestLoadSlack(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("file-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		yaml    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, s Slack)
	}{
		{
			name: "off without a token",
			yaml: "slack:\n  default_channel: '#sec'\n",
			check: func(t *testing.T, s Slack) {
				if s.Enabled() {
					t.Error("Slack enabled without a token")
				}
				if s.CacheTTL() != 5*time.Minute {
					t.Errorf("cache ttl = %s, want the 5m default", s.CacheTTL())
				}
			},
		},
		{
			name: "secrets from environment",
			yaml: "slack:\n  default_channel: C1\n  approver_cache_ttl: 90s\n",
			env:  map[string]string{"SLACK_BOT_TOKEN": testToken, "SLACK_SIGNING_SECRET": "env-secret"},
			check: func(t *testing.T, s Slack) {
				if s.BotToken.Reveal() != testToken || s.SigningSecret.Reveal() != "env-secret" {
					t.Errorf("secrets = %q / %q", s.BotToken.Reveal(), s.SigningSecret.Reveal())
				}
				if s.CacheTTL() != 90*time.Second {
					t.Errorf("cache ttl = %s", s.CacheTTL())
				}
			},
		},
		{
			name: "secrets from files named in YAML, trimmed",
			yaml: fmt.Sprintf("slack:\n  default_channel: C1\n  bot_token_file: %s\n  signing_secret_file: %s\n", tokenFile, secretFile),
			check: func(t *testing.T, s Slack) {
				if s.BotToken.Reveal() != testToken || s.SigningSecret.Reveal() != "file-secret" {
					t.Errorf("secrets = %q / %q", s.BotToken.Reveal(), s.SigningSecret.Reveal())
				}
			},
		},
		{
			name: "file from *_FILE variable; direct variable wins over file",
			yaml: "slack:\n  default_channel: C1\n",
			env:  map[string]string{"SLACK_BOT_TOKEN_FILE": tokenFile, "SLACK_SIGNING_SECRET_FILE": secretFile, "SLACK_SIGNING_SECRET": "env-secret"},
			check: func(t *testing.T, s Slack) {
				if s.BotToken.Reveal() != testToken || s.SigningSecret.Reveal() != "env-secret" {
					t.Errorf("secrets = %q / %q", s.BotToken.Reveal(), s.SigningSecret.Reveal())
				}
			},
		},
		{
			name:    "token is not a YAML field",
			yaml:    "slack:\n  bot_token: " + testToken + "\n",
			wantErr: "field bot_token not found",
		},
		{
			name:    "missing token file",
			yaml:    "slack:\n  default_channel: C1\n  bot_token_file: " + filepath.Join(dir, "nope") + "\n",
			wantErr: "slack.bot_token_file",
		},
		{
			name:    "empty token file",
			env:     map[string]string{"SLACK_BOT_TOKEN_FILE": emptyFile},
			wantErr: "is empty",
		},
		{
			name:    "default channel required with a token",
			env:     map[string]string{"SLACK_BOT_TOKEN": testToken},
			wantErr: "slack.default_channel: required",
		},
		{
			name:    "route without channel",
			yaml:    "slack:\n  default_channel: C1\n  routes:\n    - severities: [HIGH]\n",
			env:     map[string]string{"SLACK_BOT_TOKEN": testToken},
			wantErr: "slack.routes[0].channel: required",
		},
		{
			name:    "route matching everything",
			yaml:    "slack:\n  default_channel: C1\n  routes:\n    - channel: C2\n",
			env:     map[string]string{"SLACK_BOT_TOKEN": testToken},
			wantErr: "slack.routes[0]: name policies, severities or both",
		},
		{
			name:    "unknown severity",
			yaml:    "slack:\n  default_channel: C1\n  routes:\n    - channel: C2\n      severities: [urgent]\n",
			env:     map[string]string{"SLACK_BOT_TOKEN": testToken},
			wantErr: `slack.routes[0].severities: "urgent"`,
		},
		{
			name:    "bad policy glob",
			yaml:    "slack:\n  default_channel: C1\n  routes:\n    - channel: C2\n      policies: ['aws.[s3']\n",
			env:     map[string]string{"SLACK_BOT_TOKEN": testToken},
			wantErr: "slack.routes[0].policies",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN_FILE", "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET_FILE"} {
				t.Setenv(name, tt.env[name])
			}
			p := filepath.Join(t.TempDir(), "rectify.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error leaks the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c.Slack)
		})
	}
}

func TestSlackChannel(t *testing.T) {
	s := Slack{
		DefaultChannel: "C-default",
		Routes: []SlackRoute{
			{Policies: []string{"aws.iam.*"}, Severities: []string{"CRITICAL"}, Channel: "C-iam-critical"},
			{Severities: []string{"critical", "HIGH"}, Channel: "C-urgent"},
			{Policies: []string{"aws.s3.public_access_block"}, Channel: "C-s3"},
		},
	}
	tests := []struct {
		policy, severity, want string
	}{
		{"aws.iam.admin_user", "CRITICAL", "C-iam-critical"},
		{"aws.iam.admin_user", "LOW", "C-default"},
		{"aws.ec2.open_ssh", "HIGH", "C-urgent"},
		{"aws.ec2.open_ssh", "Critical", "C-urgent"},
		{"aws.s3.public_access_block", "HIGH", "C-urgent"}, // first match wins
		{"aws.s3.public_access_block", "MEDIUM", "C-s3"},
		{"aws.s3.encryption", "MEDIUM", "C-default"},
	}
	for _, tt := range tests {
		if got := s.Channel(tt.policy, tt.severity); got != tt.want {
			t.Errorf("Channel(%s, %s) = %s, want %s", tt.policy, tt.severity, got, tt.want)
		}
	}
}

// A config printed for debugging, or logged by slog, must not carry the
// secrets.
func TestSecretRedacted(t *testing.T) {
	c := Default()
	c.Slack.BotToken, c.Slack.SigningSecret = testToken, "signing-secret"
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "slack", c.Slack, "token", c.Slack.BotToken)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	ys, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", c),
		"%+v":  fmt.Sprintf("%+v", c),
		"%#v":  fmt.Sprintf("%#v", c),
		"%s":   fmt.Sprintf("%s", c.Slack.BotToken),
		"json": string(js),
		"yaml": string(ys),
		"slog": logged.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, testToken) || strings.Contains(out, "signing-secret") {
			t.Errorf("%s output leaks a secret: %s", name, out)
		}
	}
	if !strings.Contains(outputs["slog"], "[redacted]") {
		t.Errorf("slog output lost the redaction marker: %s", outputs["slog"])
	}
}
