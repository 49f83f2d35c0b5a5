package slackapp

import (
	"strings"
	"testing"
)

func TestMentionify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"approved by U0123ABCD", "approved by <@U0123ABCD>"},
		{"rejected by W0123ABCD: not now", "rejected by <@W0123ABCD>: not now"},
		{"UNENCRYPTED bucket", "UNENCRYPTED bucket"},
		{"approved by alice", "approved by alice"},
		{"no decision within 24h0m0s", "no decision within 24h0m0s"},
		{"revoke <all> & more", "revoke &lt;all&gt; &amp; more"},
		{"<@U0123ABCD>", "&lt;@<@U0123ABCD>&gt;"}, // a forged mention stays text
	}
	for _, tt := range tests {
		if got := Mentionify(tt.in); got != tt.want {
			t.Errorf("Mentionify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMentionifyAll(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@here: no decision yet", "<!here>: no decision yet"},
		{"S0123ABCD: times out in 1h", "<!subteam^S0123ABCD>: times out in 1h"},
		{"ping U0123ABCD", "ping <@U0123ABCD>"},
	}
	for _, tt := range tests {
		if got := MentionifyAll(tt.in); got != tt.want {
			t.Errorf("MentionifyAll(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Cloud text never notifies a group or a channel.
	if got := Mentionify("@channel S0123ABCD"); got != "@channel S0123ABCD" {
		t.Errorf("Mentionify rendered a broadcast: %q", got)
	}
}

func TestMention(t *testing.T) {
	tests := []struct{ in, want string }{
		{"U0123ABCD", "<@U0123ABCD>"},
		{"S0123ABCD", "<!subteam^S0123ABCD>"},
		{"timeout", "timeout"},
		{"<!channel>", "&lt;!channel&gt;"},
	}
	for _, tt := range tests {
		if got := Mention(tt.in); got != tt.want {
			t.Errorf("Mention(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewManifest(t *testing.T) {
	tests := []struct {
		url, want, wantErr string
	}{
		{url: "https://rectify.example.com", want: "https://rectify.example.com/slack/interactions"},
		{url: "https://rectify.example.com/", want: "https://rectify.example.com/slack/interactions"},
		{url: "https://example.com:8443/rectify/", want: "https://example.com:8443/rectify/slack/interactions"},
		{url: "http://example.com", wantErr: "https"},
		{url: "example.com", wantErr: "https"},
		{url: "https://example.com/?a=b", wantErr: "without query"},
	}
	for _, tt := range tests {
		m, err := NewManifest(tt.url, "")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewManifest(%q) error = %v, want %q", tt.url, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("NewManifest(%q): %v", tt.url, err)
		}
		if got := m.Settings.Interactivity.RequestURL; got != tt.want || !m.Settings.Interactivity.IsEnabled {
			t.Errorf("NewManifest(%q) interactivity = %+v, want %s", tt.url, m.Settings.Interactivity, tt.want)
		}
		if strings.Join(m.OAuthConfig.Scopes.Bot, ",") != "chat:write,usergroups:read" || m.Display.Name != "rectify" {
			t.Errorf("NewManifest(%q) = %+v", tt.url, m)
		}
	}
}
