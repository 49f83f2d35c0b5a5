package fakecloud

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/internal/suggest"
)

// Fault injects errors and latency into matching calls, so tests can prove
// that retries, throttling and timeouts behave.
type Fault struct {
	Service string // signing name, "*" for all
	Action  string // operation name, "*" for all
	// Code is the AWS error code to return (e.g. "RequestLimitExceeded",
	// "SlowDown", "InternalError"); empty injects latency only.
	Code   string
	Status int // HTTP status; 0 derives it from Code
	// Rate is the probability a matching call fails; 0 with Count set
	// means always (until Count runs out).
	Rate float64
	// Count, when positive, fails only the next Count matching calls.
	Count   int
	Latency time.Duration
	// For, when positive, ends the fault that long after it is injected:
	// an outage with an end ("Security Hub refuses every call for two
	// minutes"), for a fake cloud run as its own process where no test
	// can clear the fault by hand.
	For time.Duration

	until time.Time
}

func (f *Fault) apiError() *APIError {
	status := f.Status
	if status == 0 {
		status = statusForCode(f.Code)
	}
	return &APIError{Status: status, Code: f.Code, Message: "injected fault: " + f.Code}
}

// statusForCode picks the HTTP status AWS uses for well-known codes.
func statusForCode(code string) int {
	switch code {
	case "InternalError", "InternalFailure", "InternalServerError":
		return http.StatusInternalServerError
	case "ServiceUnavailable", "SlowDown", "RequestLimitExceeded", "Unavailable":
		return http.StatusServiceUnavailable
	case "TooManyRequestsException", "ThrottlingException":
		return http.StatusTooManyRequests
	}
	return http.StatusBadRequest
}

type faults struct {
	mu   sync.Mutex
	list []*Fault
}

func newFaults() *faults { return &faults{} }

// InjectFault adds a fault; later faults are checked first. A service or
// action the fake cloud does not serve is an error, listing what it
// serves: such a fault would never fire, and a test relying on it would
// pass having injected nothing (s3:PutPublicAccessBlock for the real
// s3:PutBucketPublicAccessBlock).
func (c *Cloud) InjectFault(f Fault) error {
	if err := c.checkFaultTarget(f.Service, f.Action); err != nil {
		return fmt.Errorf("fault %s:%s: %w", f.Service, f.Action, err)
	}
	if f.For > 0 {
		f.until = time.Now().Add(f.For)
	}
	c.faults.mu.Lock()
	defer c.faults.mu.Unlock()
	c.faults.list = append([]*Fault{&f}, c.faults.list...)
	return nil
}

// Actions lists the operations the fake cloud serves, by SigV4 signing
// name: what a Fault may name.
func (c *Cloud) Actions() map[string][]string {
	out := make(map[string][]string, len(c.services))
	for name, svc := range c.services {
		out[name] = svc.actions()
	}
	return out
}

// checkFaultTarget says why no call can match service and action ("*"
// matches every one), or nil.
func (c *Cloud) checkFaultTarget(service, action string) error {
	services := slices.Sorted(maps.Keys(c.services))
	switch {
	case service == "" || action == "":
		return errors.New("give a service and an action, or * for any")
	case service != "*" && c.services[service] == nil:
		return fmt.Errorf("the fake cloud serves no service %q%s", service, suggest.Hint(service, services))
	case action == "*":
		return nil
	case service != "*":
		if served := c.services[service].actions(); !slices.Contains(served, action) {
			return fmt.Errorf("%s serves no action %q%s", service, action, suggest.Hint(action, served))
		}
		return nil
	}
	var all []string
	for _, name := range services {
		all = append(all, c.services[name].actions()...)
	}
	if !slices.Contains(all, action) {
		return fmt.Errorf("no service serves action %q%s", action, suggest.Hint(action, all))
	}
	return nil
}

// ClearFaults removes every fault.
func (c *Cloud) ClearFaults() {
	c.faults.mu.Lock()
	defer c.faults.mu.Unlock()
	c.faults.list = nil
}

// match returns the fault to apply to this call, if any. The returned copy
// has Code cleared when only latency applies this time.
func (fs *faults) match(service, action string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := time.Now()
	fs.list = slices.DeleteFunc(fs.list, func(f *Fault) bool { return !f.until.IsZero() && now.After(f.until) })
	for i, f := range fs.list {
		if (f.Service != "*" && f.Service != service) || (f.Action != "*" && f.Action != action) {
			continue
		}
		applied := *f
		fails := f.Code != ""
		switch {
		case f.Count > 0:
			f.Count--
			if f.Count == 0 {
				fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			}
		case f.Rate > 0:
			fails = fails && rand.Float64() < f.Rate
		}
		if !fails {
			applied.Code = ""
		}
		return &applied
	}
	return nil
}

// ParseFault reads the --fault flag syntax:
//
//	SERVICE:ACTION[:key=value,...]
//
// with keys code, status, rate, count, latency and for, for example
// "ec2:RevokeSecurityGroupIngress:code=RequestLimitExceeded,rate=0.5",
// "s3:*:latency=200ms" or "securityhub:*:code=ServiceUnavailable,for=2m".
func ParseFault(s string) (Fault, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Fault{}, fmt.Errorf("fault %q: want SERVICE:ACTION[:key=value,...]", s)
	}
	f := Fault{Service: parts[0], Action: parts[1]}
	if len(parts) == 2 {
		return Fault{}, fmt.Errorf("fault %q: give at least code=CODE or latency=DURATION", s)
	}
	for _, kv := range strings.Split(parts[2], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Fault{}, fmt.Errorf("fault %q: %q is not key=value", s, kv)
		}
		var err error
		switch k {
		case "code":
			f.Code = v
		case "status":
			f.Status, err = strconv.Atoi(v)
			if err == nil && (f.Status < 400 || f.Status > 599) {
				err = fmt.Errorf("must be an HTTP error status, 400 to 599")
			}
		case "rate":
			f.Rate, err = strconv.ParseFloat(v, 64)
			if err == nil && (f.Rate < 0 || f.Rate > 1) {
				err = fmt.Errorf("must be between 0 and 1")
			}
		case "count":
			f.Count, err = strconv.Atoi(v)
			if err == nil && f.Count < 1 {
				err = fmt.Errorf("must be at least 1")
			}
		case "latency":
			f.Latency, err = time.ParseDuration(v)
			if err == nil && f.Latency < 0 {
				err = fmt.Errorf("must not be negative")
			}
		case "for":
			f.For, err = time.ParseDuration(v)
			if err == nil && f.For <= 0 {
				err = fmt.Errorf("must be positive")
			}
		default:
			err = fmt.Errorf("unknown key (want code, status, rate, count, latency or for)")
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %w", s, k, err)
		}
	}
	if f.Code == "" && f.Latency == 0 {
		return Fault{}, fmt.Errorf("fault %q: give code=CODE or latency=DURATION", s)
	}
	return f, nil
}
