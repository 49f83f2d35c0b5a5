package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// DefaultIdentity is the worker identity rectify's processes use:
// <pid>@<host>@rectify-worker. Readiness finds the worker among its task
// queue's pollers by it.
func DefaultIdentity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%d@%s@rectify-worker", os.Getpid(), host)
}

// Health says whether a worker can do its work, for its /readyz, and
// watches its Temporal connection so that a worker cut off for too long
// exits and is restarted (the SDK's pollers retry for ever, and a worker
// that waits for ever behind a broken connection looks alive).
type Health struct {
	Client    client.Client
	TaskQueue string
	// Identity is the worker's (Options.Identity).
	Identity string
	Log      *slog.Logger

	running atomic.Bool
	// lastHealthy is when Temporal last passed a health check (Unix ns),
	// from Ready or Watch.
	lastHealthy atomic.Int64
}

// SetRunning records that the worker was started (true) or is stopping.
func (h *Health) SetRunning(running bool) { h.running.Store(running) }

// Ready reports whether the worker is connected and polling: it runs,
// Temporal passes its health check, and Temporal lists this worker among
// the pollers of its task queue. That list is the server's own record of
// recent polls (kept a few minutes, reset when the server restarts), so
// a worker whose polls do not reach the server, for a wrong namespace or a
// missing permission, is not ready even though its connection is.
func (h *Health) Ready(ctx context.Context) error {
	if !h.running.Load() {
		return errors.New("worker not running")
	}
	if err := h.checkHealth(ctx); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	// Workflow pollers first; activity pollers too, since a poll reaches
	// one partition of a task queue and the description is the root's.
	for _, tqType := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
		resp, err := h.Client.DescribeTaskQueue(ctx, h.TaskQueue, tqType)
		if err != nil {
			return fmt.Errorf("describe task queue %s: %w", h.TaskQueue, err)
		}
		for _, p := range resp.GetPollers() {
			if p.GetIdentity() == h.Identity {
				return nil
			}
		}
	}
	return fmt.Errorf("task queue %s: Temporal has no poll from this worker (%s) yet", h.TaskQueue, h.Identity)
}

// Watch checks Temporal's health until ctx is done, every tenth of limit
// (1 s to 15 s). It logs the loss and the return of the connection once
// each, and returns an error once no health check (its own or Ready's)
// has passed for longer than limit: the caller exits non-zero, and
// Kubernetes restarts the pod.
func (h *Health) Watch(ctx context.Context, limit time.Duration) error {
	interval := min(max(limit/10, time.Second), 15*time.Second)
	t := time.NewTicker(interval)
	defer t.Stop()
	h.lastHealthy.CompareAndSwap(0, time.Now().UnixNano()) // it was dialled
	down := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		check, cancel := context.WithTimeout(ctx, min(interval, 5*time.Second))
		err := h.checkHealth(check)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		since := time.Unix(0, h.lastHealthy.Load())
		switch {
		case err == nil:
			if down {
				h.log().Info("Temporal connection back", "task_queue", h.TaskQueue)
				down = false
			}
			continue
		case !down:
			down = true
			h.log().Warn("Temporal connection lost: the worker is not ready, and exits unless it is back in time",
				"task_queue", h.TaskQueue, "exit_after", limit, "err", err)
		}
		if gone := time.Since(since); gone > limit {
			err = fmt.Errorf("temporal unreachable for %s (limit %s): exiting so that the worker is restarted: %w",
				gone.Round(time.Second), limit, err)
			h.log().Error("worker exiting: Temporal unreachable for longer than its limit", "task_queue", h.TaskQueue,
				"last_healthy", since.UTC().Format(time.RFC3339), "exit_after", limit, "err", err)
			return err
		}
	}
}

// checkHealth is Temporal's health check, remembering when it passed.
func (h *Health) checkHealth(ctx context.Context) error {
	if _, err := h.Client.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return err
	}
	h.lastHealthy.Store(time.Now().UnixNano())
	return nil
}

func (h *Health) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}
