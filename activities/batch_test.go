package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBatcherResults: every writer of a batch gets its own item's result,
// batches are per key, and a write that loses count fails every item
// instead of passing one as written.
func TestBatcherResults(t *testing.T) {
	var b batcher[int]
	var mu sync.Mutex
	var batches [][]int
	write := func(key string, items []int) []error {
		mu.Lock()
		batches = append(batches, append([]int(nil), items...))
		mu.Unlock()
		errs := make([]error, len(items))
		for i, v := range items {
			if v%2 == 1 {
				errs[i] = fmt.Errorf("%s: odd %d", key, v)
			}
		}
		return errs
	}
	lim := limits(20*time.Millisecond, time.Second, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range 10 {
		key := "a"
		if i >= 6 {
			key = "b"
		}
		wg.Go(func() { errs[i] = b.add(ctx, lim, key, i, write) })
	}
	wg.Wait()
	for i, err := range errs {
		if (i%2 == 1) != (err != nil) || (err != nil && !strings.Contains(err.Error(), fmt.Sprintf("odd %d", i))) {
			t.Errorf("item %d: %v", i, err)
		}
	}
	if len(batches) != 2 {
		t.Errorf("%d batches %v, want one per key", len(batches), batches)
	}

	miscount := func(string, []int) []error { return nil }
	if err := b.add(ctx, lim, "c", 1, miscount); err == nil || !strings.Contains(err.Error(), "0 results for 1 items") {
		t.Errorf("a write that lost count = %v, want an error", err)
	}
	// A writer that stops waiting gets its context's error.
	short, stop := context.WithCancel(context.Background())
	stop()
	if err := b.add(short, limits(time.Hour, time.Hour, 100), "d", 2, write); !errors.Is(err, context.Canceled) {
		t.Errorf("add with a cancelled context = %v", err)
	}
}
