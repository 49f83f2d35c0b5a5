// Package activities holds every side effect of rectify's workflows: reading
// live AWS state, evaluating policies, changing resources, recording
// findings, notifying humans and starting other workflows. Each activity is
// idempotent and reports AWS failures as typed Temporal application errors.
package activities

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/policies"
)

// Activities holds the dependencies; its exported methods are the
// activities. It keeps no state between calls.
type Activities struct {
	AWS      *awsclient.Factory
	Policies *policies.Set
	Notifier Notifier
	Findings FindingWriter
	// Temporal starts and signals workflows (Dispatch); TaskQueue is where.
	Temporal  client.Client
	TaskQueue string
	Config    *config.Config
	Log       *slog.Logger
	// Metrics, when set, counts evaluations, violations and remediations.
	Metrics *metrics.Metrics
	// Now is the clock for exemption expiry and finding timestamps.
	Now func() time.Time
}

// Context is the context every activity of a's worker runs under (the
// worker's BackgroundActivityContext): parent with what the free helpers
// need from a's configuration, today the auth grace awsError applies. It
// is a function, not a method: every exported method is an activity.
func Context(parent context.Context, a *Activities) context.Context {
	if a == nil || a.Config == nil {
		return parent
	}
	return awserr.WithAuthGrace(parent, a.Config.AWS.AuthGraceAttempts)
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) logger() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}
