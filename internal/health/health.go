// Package health serves the liveness and readiness endpoints of rectify's
// long-running processes, which the Helm chart probes.
package health

import (
	"context"
	"net/http"
	"time"
)

// Timeout bounds one readiness check, below the Helm chart's probe
// timeout (3 s), so that a slow dependency reads as not ready rather than
// as a probe that timed out.
const Timeout = 2 * time.Second

// Register adds GET /healthz, which answers while the process serves HTTP
// (liveness: restarting would not help anything else), and GET /readyz,
// which answers 200 when ready returns nil within Timeout and 503 with the
// reason otherwise. A nil ready is always ready.
func Register(mux *http.ServeMux, ready func(context.Context) error) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), Timeout)
			defer cancel()
			if err := ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
