package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/devstack"
)

// `rectify worker` against a real dev server: /healthz and /readyz on its
// metrics listener follow the server as it stops and comes back, and a
// worker cut off for longer than --exit-after-disconnected exits non-zero.
func TestWorkerHealth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts, stops and restarts a Temporal dev server")
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "temporal.db")
	srv, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{DBFile: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	cfgFile := filepath.Join(t.TempDir(), "rectify.yaml")
	cfg := fmt.Sprintf("temporal:\n  address: %s\n  task_queue: rectify-worker-health\naws:\n  region: us-east-1\n  endpoint: http://127.0.0.1:1\n  security_hub: false\nlog:\n  level: warn\n", srv.HostPort)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	const exitAfter = 6 * time.Second
	root := newRootCmd()
	root.SetArgs([]string{"worker", "--config", cfgFile, "--metrics-listen", addr, "--exit-after-disconnected", exitAfter.String()})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(runCtx) }()

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(body))
	}
	var lastReady time.Time
	waitFor := func(what, path string, want int, within time.Duration) {
		t.Helper()
		start := time.Now()
		for {
			code, body := get(path)
			if code == http.StatusOK && path == "/readyz" {
				lastReady = time.Now()
			}
			if code == want {
				t.Logf("%s: GET %s = %d after %s", what, path, code, time.Since(start).Round(100*time.Millisecond))
				return
			}
			select {
			case err := <-done:
				t.Fatalf("%s: the worker exited: %v", what, err)
			default:
			}
			if time.Since(start) > within {
				t.Fatalf("%s: GET %s = %d %q for %s, want %d", what, path, code, body, within, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	waitFor("started", "/readyz", http.StatusOK, 60*time.Second)
	waitFor("started", "/healthz", http.StatusOK, time.Second)
	if code, _ := get("/metrics"); code != http.StatusOK {
		t.Errorf("GET /metrics = %d", code)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor("Temporal stopped", "/readyz", http.StatusServiceUnavailable, 5*time.Second)
	if code, body := get("/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d %q while Temporal is down: liveness must not follow Temporal", code, body)
	}

	// Back before the limit: ready again, no exit.
	if srv, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{HostPort: srv.HostPort, DBFile: db}); err != nil {
		t.Fatalf("restart temporal: %v", err)
	}
	waitFor("Temporal back", "/readyz", http.StatusOK, 60*time.Second)

	// Gone for longer than the limit: the worker exits non-zero.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		took := time.Since(lastReady)
		if err == nil || exitCode(err) == 0 {
			t.Fatalf("worker exited with %v (code %d) after Temporal was gone %s, want a non-zero exit", err, exitCode(err), took)
		}
		if !strings.Contains(err.Error(), "temporal unreachable for") {
			t.Errorf("exit error %q does not say why", err)
		}
		// Ready's health check is the last that passed, a moment before.
		if took < exitAfter-time.Second {
			t.Errorf("worker exited %s after it was last ready, before its %s limit", took, exitAfter)
		}
		t.Logf("exited %s after it was last ready (limit %s): %v", took.Round(100*time.Millisecond), exitAfter, err)
	case <-time.After(exitAfter + 30*time.Second):
		t.Fatalf("worker still running %s after Temporal went away (limit %s)", exitAfter+30*time.Second, exitAfter)
	}
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
