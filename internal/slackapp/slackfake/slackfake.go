// Package slackfake is a Slack Web API test server: the notifier and the
// interactions endpoint make their real API calls against it, and tests
// assert on the recorded requests (Block Kit payloads, replies, modals).
// It implements only the methods rectify calls, plus response_url.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Call is one recorded request.
type Call struct {
	// Method is the API method ("chat.postMessage") or "response_url".
	Method string
	// Form holds form-encoded parameters (chat.*, usergroups.*), without
	// the token.
	Form url.Values
	// JSON holds a JSON body (views.open, response_url).
	JSON map[string]any
	// Path is the request path, for response_url calls.
	Path string
}

// Reply is a scripted answer to the next call of a method.
type Reply struct {
	// Status is an HTTP status; 0 means 200.
	Status int
	// RetryAfter is the Retry-After header of a 429, in seconds.
	RetryAfter int
	// Error is a Slack error code, answered as {"ok": false, "error": ...}.
	Error string
}

// Server is the fake Slack API.
type Server struct {
	*httptest.Server
	token string

	mu      sync.Mutex
	calls   []Call
	scripts map[string][]Reply
	groups  map[string][]string
	seq     int
}

// New starts a fake that accepts only token and stops with the test.
func New(t testing.TB, token string) *Server {
	s := &Server{token: token, scripts: map[string][]Reply{}, groups: map[string][]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the base URL for slack.OptionAPIURL / config slack.api_url.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// ResponseURL is a response_url for an interaction payload.
func (s *Server) ResponseURL(name string) string { return s.URL + "/respond/" + name }

// Script queues replies for the next calls of method, before the normal
// successful answers resume.
func (s *Server) Script(method string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[method] = append(s.scripts[method], replies...)
}

// SetGroup defines a user group's members for usergroups.users.list.
func (s *Server) SetGroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = members
}

// Calls returns the recorded calls of method, or of every method when
// method is "".
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the recorded calls.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := Call{Path: r.URL.Path}
	if name, ok := strings.CutPrefix(r.URL.Path, "/respond/"); ok {
		c.Method = "response_url"
		_ = json.Unmarshal(body, &c.JSON)
		s.record(c)
		if name == "expired" {
			// Slack answers a used-up or expired response_url with 404.
			http.Error(w, "expired_url", http.StatusNotFound)
			return
		}
		fmt.Fprint(w, "ok")
		return
	}
	c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
		if t := c.Form.Get("token"); t != "" {
			token = t
		}
		c.Form.Del("token")
	}
	s.record(c)
	if token != s.token {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	if rep, ok := s.next(c.Method); ok {
		switch {
		case rep.Status == http.StatusTooManyRequests:
			w.Header().Set("Retry-After", strconv.Itoa(rep.RetryAfter))
			w.WriteHeader(rep.Status)
			return
		case rep.Status != 0:
			w.WriteHeader(rep.Status)
			return
		case rep.Error != "":
			writeJSON(w, map[string]any{"ok": false, "error": rep.Error})
			return
		}
	}
	s.answer(w, c)
}

func (s *Server) answer(w http.ResponseWriter, c Call) {
	switch c.Method {
	case "chat.postMessage":
		channel := c.Form.Get("channel")
		if name, ok := strings.CutPrefix(channel, "#"); ok {
			// Slack answers with the ID of a channel given by name.
			channel = "C" + strings.ToUpper(name)
		}
		writeJSON(w, map[string]any{"ok": true, "channel": channel, "ts": s.nextTS()})
	case "chat.update":
		writeJSON(w, map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": c.Form.Get("ts")})
	case "chat.postEphemeral":
		writeJSON(w, map[string]any{"ok": true, "message_ts": s.nextTS()})
	case "views.open":
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V0FAKE"}})
	case "usergroups.users.list":
		s.mu.Lock()
		members, ok := s.groups[c.Form.Get("usergroup")]
		s.mu.Unlock()
		if !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "no_such_subteam"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "users": members})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

func (s *Server) next(method string) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.scripts[method]
	if len(q) == 0 {
		return Reply{}, false
	}
	s.scripts[method] = q[1:]
	return q[0], true
}

func (s *Server) nextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("1700000000.%06d", s.seq)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Blocks decodes the Block Kit blocks of a chat call.
func (c Call) Blocks() []map[string]any {
	var blocks []map[string]any
	_ = json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks)
	return blocks
}

// BlockText is every text in the blocks, one per line: what a reader of
// the message sees.
func (c Call) BlockText() string {
	var texts []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if t, ok := v["text"].(string); ok {
				texts = append(texts, t)
			}
			for _, k := range []string{"text", "fields", "elements", "accessory", "confirm", "title"} {
				if child, ok := v[k]; ok {
					walk(child)
				}
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, b := range c.Blocks() {
		walk(b)
	}
	return strings.Join(texts, "\n")
}

// Buttons maps the action_id of every button in the blocks to its value.
func (c Call) Buttons() map[string]string {
	out := map[string]string{}
	for _, b := range c.Blocks() {
		if b["type"] != "actions" {
			continue
		}
		elems, _ := b["elements"].([]any)
		for _, e := range elems {
			if m, ok := e.(map[string]any); ok && m["type"] == "button" {
				id, _ := m["action_id"].(string)
				v, _ := m["value"].(string)
				out[id] = v
			}
		}
	}
	return out
}
