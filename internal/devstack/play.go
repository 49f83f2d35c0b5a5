package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/rectifyhq/rectify/internal/fakecloud"
)

// PlayPath is where a running `rectify dev` plays the demo on request
// (`rectify demo play`), beside its /metrics.
const PlayPath = "/demo/play"

// Player plays the demo scenario against a running local stack, each time
// on fresh resources (the last play's violations are still in their watch
// window, where a recurrence is fixed without asking), one play at a time.
type Player struct {
	Temporal client.Client
	Cloud    *fakecloud.Cloud
	Endpoint string
	App      *App
	// Timeout bounds each wait but the one for a person's decision.
	Timeout time.Duration
	// Address and Slack are passed to the Demo, for what it prints.
	Address string
	Slack   string
	// Echo, when set, also receives every line (the dev terminal).
	Echo io.Writer

	mu    sync.Mutex
	busy  bool
	plays int
}

// Play seeds fresh demo resources and plays the scenario, writing one line
// per step to out. autoApprove approves by itself instead of waiting.
func (p *Player) Play(ctx context.Context, out io.Writer, autoApprove bool) (Summary, error) {
	p.mu.Lock()
	if p.busy {
		p.mu.Unlock()
		return Summary{}, errBusy
	}
	p.busy = true
	p.plays++
	suffix := fmt.Sprintf("-%s-p%d", time.Now().UTC().Format("150405"), p.plays)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.busy = false
		p.mu.Unlock()
	}()
	if err := p.Cloud.Apply(DemoResources(suffix)); err != nil {
		return Summary{}, fmt.Errorf("demo: seed fresh resources: %w", err)
	}
	var wmu sync.Mutex
	say := func(format string, args ...any) {
		line := fmt.Sprintf("  demo: "+format+"\n", args...)
		wmu.Lock()
		defer wmu.Unlock()
		for _, w := range []io.Writer{out, p.Echo} {
			if w == nil {
				continue
			}
			_, _ = io.WriteString(w, line)
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
	}
	d := &Demo{Temporal: p.Temporal, Endpoint: p.Endpoint, Suffix: suffix, App: p.App, Progress: say,
		AutoApprove: autoApprove, AutoApproveFlag: "--auto-approve", Address: p.Address, Slack: p.Slack}
	return d.Run(ctx, p.Timeout)
}

var errBusy = fmt.Errorf("a demo is already playing on this stack; wait for it to finish")

// ServeHTTP plays the demo for `rectify demo play`: POST, with
// ?auto-approve=true to approve by itself. The response streams the steps
// as text lines and ends with the summary as one JSON line.
func (p *Player) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST to play the demo", http.StatusMethodNotAllowed)
		return
	}
	auto := r.URL.Query().Get("auto-approve") == "true"
	p.mu.Lock()
	busy := p.busy
	p.mu.Unlock()
	if busy {
		http.Error(w, errBusy.Error(), http.StatusConflict)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	sum, err := p.Play(r.Context(), w, auto)
	if err != nil {
		sum.Problems = append(sum.Problems, err.Error())
		sum.OK = false
	}
	_ = json.NewEncoder(w).Encode(sum)
}
