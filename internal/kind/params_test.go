package kind

import (
	"encoding/json"
	"testing"
)

// TestInt: an integer reads the same from the policy set, after a JSON
// round trip and from Go; a fraction or another type is refused.
func TestInt(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int
		ok   bool
	}{
		{json.Number("7"), 7, true},
		{7.0, 7, true},
		{7, 7, true},
		{json.Number("7.5"), 0, false},
		{7.5, 0, false},
		{"7", 0, false},
		{nil, 0, false},
	} {
		got, err := Int(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Int(%#v) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
