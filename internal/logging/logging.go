// Package logging builds the slog logger every rectify process uses, and
// adapts it for the Temporal SDK, so one set of stable keys (workflow_id,
// policy, resource, account, state) runs through all logs.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	tlog "go.temporal.io/sdk/log"
)

// New returns a logger writing level and format ("json" or "text") to w.
func New(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}

// Temporal adapts l for the Temporal SDK. The SDK is chatty at info (every
// worker start, poller and retry), so its records are shifted one level
// down: SDK info is our debug.
func Temporal(l *slog.Logger) tlog.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return tlog.NewStructuredLogger(slog.New(&demote{h: l.Handler()}))
}

type demote struct{ h slog.Handler }

func (d *demote) Enabled(ctx context.Context, lv slog.Level) bool {
	return d.h.Enabled(ctx, shift(lv))
}

func (d *demote) Handle(ctx context.Context, r slog.Record) error {
	r.Level = shift(r.Level)
	return d.h.Handle(ctx, r)
}

func (d *demote) WithAttrs(as []slog.Attr) slog.Handler { return &demote{h: d.h.WithAttrs(as)} }
func (d *demote) WithGroup(name string) slog.Handler    { return &demote{h: d.h.WithGroup(name)} }

func shift(lv slog.Level) slog.Level {
	if lv == slog.LevelInfo {
		return slog.LevelDebug
	}
	return lv
}
