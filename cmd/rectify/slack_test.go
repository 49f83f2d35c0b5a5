package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rectifyhq/rectify/internal/slackapp"
)

func TestSlackManifestCmd(t *testing.T) {
	tests := []struct {
		args    []string
		decode  func([]byte, any) error
		wantErr string
	}{
		{args: []string{"--url", "https://rectify.example.com/"}, decode: yaml.Unmarshal},
		{args: []string{"--url", "https://rectify.example.com", "--json"}, decode: json.Unmarshal},
		// A URL that already names the endpoint is taken as it is.
		{args: []string{"--url", "https://rectify.example.com/slack/interactions"}, decode: yaml.Unmarshal},
		{args: []string{"--url", "https://rectify.example.com/slack/interactions/"}, decode: yaml.Unmarshal},
		{args: []string{"--url", "http://rectify.example.com"}, wantErr: "https"},
		{args: nil, wantErr: `"url" not set`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{"slack", "manifest"}, tt.args...))
		err := root.Execute()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		var m slackapp.Manifest
		if err := tt.decode(out.Bytes(), &m); err != nil {
			t.Fatalf("%v: output does not decode: %v\n%s", tt.args, err, out.String())
		}
		if m.Settings.Interactivity.RequestURL != "https://rectify.example.com/slack/interactions" ||
			strings.Join(m.OAuthConfig.Scopes.Bot, " ") != "chat:write usergroups:read" {
			t.Errorf("%v: manifest = %+v", tt.args, m)
		}
	}
}
