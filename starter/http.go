package starter

import (
	"context"
	"net/http"
	"time"

	"github.com/rectifyhq/rectify/internal/health"
	"github.com/rectifyhq/rectify/internal/slackapp"
)

// Route is one more handler on the starter's server (e.g. /metrics).
type Route struct {
	Pattern string
	Handler http.Handler
}

// NewHTTPServer serves the starter's HTTP side: liveness on /healthz,
// readiness on /readyz (ready, normally Consumer.Ready: the queue and
// Temporal answer and receiving is not paused), and the Slack
// interactions endpoint when slack is not nil.
func NewHTTPServer(addr string, slack *slackapp.Handler, ready func(context.Context) error, extra ...Route) *http.Server {
	mux := http.NewServeMux()
	for _, r := range extra {
		mux.Handle(r.Pattern, r.Handler)
	}
	health.Register(mux, ready)
	if slack != nil {
		mux.Handle(slackapp.InteractionsPath, slack)
	}
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}
