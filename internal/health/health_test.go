package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRegister(t *testing.T) {
	slow := func(ctx context.Context) error {
		<-ctx.Done() // a dependency that never answers
		return ctx.Err()
	}
	tests := []struct {
		name     string
		path     string
		ready    func(context.Context) error
		want     int
		wantBody string
	}{
		{"live", "/healthz", func(context.Context) error { return errors.New("down") }, http.StatusOK, "ok"},
		{"ready", "/readyz", func(context.Context) error { return nil }, http.StatusOK, "ok"},
		{"no check", "/readyz", nil, http.StatusOK, "ok"},
		{"not ready", "/readyz", func(context.Context) error { return errors.New("temporal: connection refused") }, http.StatusServiceUnavailable, "not ready: temporal: connection refused"},
		{"check times out", "/readyz", slow, http.StatusServiceUnavailable, "context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			Register(mux, tt.ready)
			rec := httptest.NewRecorder()
			start := time.Now()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("GET %s = %d %q, want %d with %q", tt.path, rec.Code, rec.Body.String(), tt.want, tt.wantBody)
			}
			if took := time.Since(start); took > Timeout+time.Second {
				t.Errorf("GET %s took %s, want at most the %s timeout", tt.path, took, Timeout)
			}
		})
	}
}
