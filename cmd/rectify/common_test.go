package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/config"
)

func TestTemporalSecurity(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		cfg       config.Temporal
		wantTLS   bool
		wantCreds bool
		wantErr   string
	}{
		{name: "plain", cfg: config.Temporal{}},
		{name: "api key implies TLS", cfg: config.Temporal{APIKey: "k"}, wantTLS: true, wantCreds: true},
		{name: "missing cert file", cfg: config.Temporal{TLSCertFile: filepath.Join(dir, "nope.pem"), TLSKeyFile: filepath.Join(dir, "nope.key")}, wantErr: "tls_cert_file"},
		{name: "CA that is not PEM", cfg: config.Temporal{TLSCAFile: notPEM}, wantErr: "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts client.Options
			err := temporalSecurity(tt.cfg, &opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (opts.ConnectionOptions.TLS != nil) != tt.wantTLS || (opts.Credentials != nil) != tt.wantCreds {
				t.Errorf("TLS set %v, credentials set %v; want %v, %v", opts.ConnectionOptions.TLS != nil, opts.Credentials != nil, tt.wantTLS, tt.wantCreds)
			}
		})
	}
}

// The connection flags, as the temporal CLI has them, win over the
// environment, which wins over the file; a flag left out changes nothing.
func TestTemporalFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rectify.yaml")
	if err := os.WriteFile(path, []byte("temporal:\n  address: file:7233\n  namespace: file-ns\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range config.EnvNames() {
		t.Setenv(name, "")
	}
	t.Setenv("RECTIFY_TEMPORAL_ADDRESS", "env:7233")
	g := globalFlags{configPath: path, temporal: temporalFlags{namespace: "flag-ns", apiKey: "k"}}
	cfg, _, err := g.load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Temporal.Address != "env:7233" || cfg.Temporal.Namespace != "flag-ns" || cfg.Temporal.APIKey.Reveal() != "k" {
		t.Errorf("temporal = %+v", cfg.Temporal)
	}
	g.temporal = temporalFlags{address: "flag:7233", certPath: "/c.pem"}
	if _, _, err := g.load(); err == nil || !strings.Contains(err.Error(), "give both or neither") {
		t.Errorf("a certificate without its key: err = %v", err)
	}
	g.temporal = temporalFlags{address: "flag:7233"}
	if cfg, _, err = g.load(); err != nil || cfg.Temporal.Address != "flag:7233" {
		t.Errorf("address = %q (%v)", cfg.Temporal.Address, err)
	}
	// Every command that talks to Temporal has the flags; the others do not.
	root := newRootCmd()
	for _, path := range [][]string{{"approve"}, {"reject"}, {"undo"}, {"list"}, {"show"}, {"worker"}, {"starter"},
		{"sweep", "trigger"}, {"sweep", "schedule"}, {"sweep", "list"}, {"accounts", "promote"}, {"accounts", "list"}} {
		cmd, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"address", "namespace", "tls-cert-path", "tls-key-path", "tls-ca-path", "api-key"} {
			if cmd.Flags().Lookup(f) == nil && cmd.PersistentFlags().Lookup(f) == nil && cmd.InheritedFlags().Lookup(f) == nil {
				t.Errorf("rectify %s has no --%s", strings.Join(path, " "), f)
			}
		}
	}
	if cmd, _, _ := root.Find([]string{"check"}); cmd.Flags().Lookup("address") != nil || cmd.InheritedFlags().Lookup("address") != nil {
		t.Error("rectify check talks to no Temporal, yet has --address")
	}
}
