package activities

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// batcher gathers the writes that concurrent activities make under one key
// (an account and region for findings, a bucket for audit records) and
// writes each batch once: when it holds max items, when no item joined it
// for the quiet period, or maxDelay after it opened, whichever comes first.
// The quiet period keeps a lone write fast; under load items keep arriving,
// so batches fill instead of leaving every moment with a handful. Each
// writer waits for its batch and gets its own item's result.
type batcher[T any] struct {
	mu   sync.Mutex
	open map[string]*batch[T]
}

// batchLimits say when a batch is written.
type batchLimits struct {
	quiet, maxDelay time.Duration
	max             int
}

// limits fills in the defaults: a quiet period of 100ms, a cap of ten
// quiet periods.
func limits(quiet, maxDelay time.Duration, most int) batchLimits {
	if quiet <= 0 {
		quiet = 100 * time.Millisecond
	}
	if maxDelay <= 0 {
		maxDelay = 10 * quiet
	}
	return batchLimits{quiet: quiet, maxDelay: maxDelay, max: most}
}

// batchWrite writes one batch. It runs once per batch, outside every
// writer's context, and returns one error per item (nil: written).
type batchWrite[T any] func(key string, items []T) []error

type batch[T any] struct {
	key      string
	items    []T
	write    batchWrite[T]
	deadline time.Time   // opened + maxDelay
	timer    *time.Timer // fires at the next quiet-period end or the deadline
	once     sync.Once
	done     chan struct{}
	errs     []error
}

// add puts item in the open batch of key (opening one that write will
// write) and waits until that batch is written; it returns the item's error,
// or ctx's when the writer stops waiting.
func (b *batcher[T]) add(ctx context.Context, lim batchLimits, key string, item T, write batchWrite[T]) error {
	bt, i, full := b.join(lim, key, item, write)
	if full {
		b.flush(bt)
	}
	select {
	case <-bt.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return bt.errs[i]
}

func (b *batcher[T]) join(lim batchLimits, key string, item T, write batchWrite[T]) (*batch[T], int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		b.open = map[string]*batch[T]{}
	}
	now := time.Now()
	bt, ok := b.open[key]
	if !ok {
		bt = &batch[T]{key: key, write: write, done: make(chan struct{}), deadline: now.Add(lim.maxDelay)}
		b.open[key] = bt
		bt.timer = time.AfterFunc(min(lim.quiet, lim.maxDelay), func() { b.flush(bt) })
	} else {
		// Another item joined: the quiet period starts again, but never
		// past the deadline. A timer that already fired has a flush in
		// flight, which takes the batch out of b.open under b.mu, so a
		// batch still found here has not been written.
		bt.timer.Reset(max(0, min(lim.quiet, bt.deadline.Sub(now))))
	}
	bt.items = append(bt.items, item)
	i := len(bt.items) - 1
	if len(bt.items) >= lim.max {
		delete(b.open, key)
		bt.timer.Stop()
		return bt, i, true
	}
	return bt, i, false
}

// flush writes a batch once; the timer and a full batch may both call it,
// at the same time, so the write runs under the batch's sync.Once (a check
// of done alone let both through while the first was still writing: two
// writes, and a panic on the second close).
func (b *batcher[T]) flush(bt *batch[T]) {
	b.mu.Lock()
	if cur, ok := b.open[bt.key]; ok && cur == bt {
		delete(b.open, bt.key)
	}
	b.mu.Unlock()
	bt.once.Do(func() {
		defer close(bt.done)
		errs := bt.write(bt.key, bt.items)
		if len(errs) != len(bt.items) {
			// A write that lost count: no item may pass as written.
			err := fmt.Errorf("batch %s: write returned %d results for %d items", bt.key, len(errs), len(bt.items))
			errs = make([]error, len(bt.items))
			for i := range errs {
				errs[i] = err
			}
		}
		bt.errs = errs
	})
}
