package contract

import (
	"encoding/json"
	"fmt"
	"time"
)

// jsonDuration is a time.Duration as people read it in the Temporal UI's
// input and result views ("24h0m0s"), instead of integer nanoseconds
// (86400000000000). It reads both forms: histories recorded before it
// hold integers, and replay decodes them with today's code.
type jsonDuration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string or integer nanoseconds.
func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w", s, err)
		}
		*d = jsonDuration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("duration %s: want a string such as \"24h\" or integer nanoseconds", b)
	}
	*d = jsonDuration(n)
	return nil
}

func jsonDurations(ds []time.Duration) []jsonDuration {
	if ds == nil {
		return nil
	}
	out := make([]jsonDuration, len(ds))
	for i, d := range ds {
		out[i] = jsonDuration(d)
	}
	return out
}

func goDurations(ds []jsonDuration) []time.Duration {
	if ds == nil {
		return nil
	}
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d)
	}
	return out
}
