package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/devstack"
	"github.com/rectifyhq/rectify/worker"
)

// Readiness on a real dev server: a worker is ready once Temporal lists
// its own polls, and not before it runs or for another worker's polls.
func TestHealthReady(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx := context.Background()
	srv, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	const tq = "rectify-health"
	mine := &worker.Health{Client: srv.Client, TaskQueue: tq, Identity: "1@test@rectify-worker"}
	if err := mine.Ready(ctx); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("Ready before the worker runs = %v, want not running", err)
	}
	w := worker.New(srv.Client, tq, &activities.Activities{}, worker.Options{Identity: mine.Identity})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	mine.SetRunning(true)
	deadline := time.Now().Add(30 * time.Second)
	for err := mine.Ready(ctx); err != nil; err = mine.Ready(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("Ready 30s after the worker started: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	other := &worker.Health{Client: srv.Client, TaskQueue: tq, Identity: "2@elsewhere@rectify-worker"}
	other.SetRunning(true)
	if err := other.Ready(ctx); err == nil || !strings.Contains(err.Error(), "no poll from this worker") {
		t.Errorf("Ready for a worker that never polled = %v, want no poll from it", err)
	}
	mine.SetRunning(false)
	if err := mine.Ready(ctx); err == nil {
		t.Error("Ready after SetRunning(false) = nil, want not running")
	}
}
