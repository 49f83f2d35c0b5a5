package starter

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
)

// pauseGate is the consumer's receive switch. SQS counts every receive
// against a message's maxReceiveCount and cannot take one back, so while
// Temporal cannot take starts the consumer stops receiving instead of
// receiving, failing and leaving messages for the dead-letter queue.
type pauseGate struct {
	mu      sync.Mutex
	resumed chan struct{} // nil while receiving; closed on resume
	since   time.Time
	cause   error
}

// pause stops receiving; it reports false when receiving already was
// paused, so only the first of many failing starts logs and probes.
func (g *pauseGate) pause(cause error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.resumed != nil {
		return false
	}
	g.resumed, g.since, g.cause = make(chan struct{}), time.Now(), cause
	return true
}

// resume starts receiving again and says how long it was paused.
func (g *pauseGate) resume() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.resumed == nil {
		return 0
	}
	close(g.resumed)
	g.resumed = nil
	return time.Since(g.since)
}

// wait returns at once while receiving, else on resume or when ctx is done.
func (g *pauseGate) wait(ctx context.Context) error {
	g.mu.Lock()
	resumed := g.resumed
	g.mu.Unlock()
	if resumed == nil {
		return nil
	}
	select {
	case <-resumed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// paused says since when and why receiving is paused; ok is false while
// receiving.
func (g *pauseGate) paused() (since time.Time, cause error, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.since, g.cause, g.resumed != nil
}

// temporalUnavailable reports whether a failed call says that Temporal
// cannot serve now (down, unreachable, overloaded), which is worth
// waiting out, rather than that the request is wrong, which waiting does
// not fix. The SDK retries these codes itself for its RPC timeout (10 s)
// before it returns one.
func temporalUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	switch serviceerror.ToStatus(err).Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	}
	return false
}
