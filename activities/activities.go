// Package activities holds every side effect of rectify's workflows: reading
// live AWS state, evaluating policies, changing resources, recording
// findings, notifying humans and starting other workflows. Each activity is
// idempotent and reports AWS failures as typed Temporal application errors.
package activities

import (
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/awsclient"
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
