package starter

import (
	"context"
	"net/http"
	"time"

	"github.com/rectifyhq/rectify/internal/slackapp"
)

// Route is one more handler on the starter's server (e.g. /metrics).
type Route struct {
	Pattern string
	Handler http.Handler
}

// NewHTTPServer serves the starter's HTTP side: liveness on /healthz,
// readiness on /readyz (ready reports whether Temporal answers), and the
// Slack interactions endpoint when slack is not nil.
func NewHTTPServer(addr string, slack *SlackHandler, ready func(context.Context) error, extra ...Route) *http.Server {
	mux := http.NewServeMux()
	for _, r := range extra {
		mux.Handle(r.Pattern, r.Handler)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if ready != nil {
			if err := ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if slack != nil {
		mux.Handle(slackapp.InteractionsPath, slack)
	}
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}
