package kind

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/rectifyhq/rectify/internal/awserr"
)

// Strings reads a list of strings from a policy's params, which arrive as
// []any after a JSON round trip. An absent key is an empty list.
func Strings(params map[string]any, key string) ([]string, error) {
	raw, ok := params[key]
	if !ok || raw == nil {
		return nil, nil
	}
	switch v := raw.(type) {
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, awserr.Permanent(awserr.InvalidParams, "params.%s[%d]: want a string, got %T", key, i, x)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, awserr.Permanent(awserr.InvalidParams, "params.%s: want a list of strings, got %T", key, raw)
}

// Int reads one integer from a policy's params: json.Number from the
// policy set, float64 after a JSON round trip through Temporal, int from
// Go.
func Int(v any) (int, error) {
	switch n := v.(type) {
	case json.Number:
		return strconv.Atoi(n.String())
	case float64:
		if n != float64(int(n)) {
			return 0, fmt.Errorf("%v is not an integer", n)
		}
		return int(n), nil
	case int:
		return n, nil
	}
	return 0, fmt.Errorf("got %T, want an integer", v)
}
