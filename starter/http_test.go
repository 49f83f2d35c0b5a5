package starter

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHTTPServer(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		ready  error
		method string
		want   int
	}{
		{"live", "/healthz", nil, http.MethodGet, http.StatusOK},
		{"ready", "/readyz", nil, http.MethodGet, http.StatusOK},
		{"not ready", "/readyz", errors.New("temporal down"), http.MethodGet, http.StatusServiceUnavailable},
		{"no slack without a token", "/slack/interactions", nil, http.MethodPost, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewHTTPServer("", nil, func(context.Context) error { return tt.ready })
			rec := httptest.NewRecorder()
			srv.Handler.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Code, tt.want)
			}
		})
	}
}
