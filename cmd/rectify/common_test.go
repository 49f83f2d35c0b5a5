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
