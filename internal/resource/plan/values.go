package plan

import (
	"encoding/json"
	"strconv"
)

// known merges change.after with change.after_unknown into the part of the
// planned value that is known: a leaf marked unknown is dropped, so a key
// that is absent from the result is unknown and a key holding nil is a
// known null. Lists keep their known elements only (an unknown CIDR in
// cidr_blocks names no peer rectify could judge).
func known(after, unknown any) (any, bool) {
	if u, ok := unknown.(bool); ok && u {
		return nil, false
	}
	switch a := after.(type) {
	case map[string]any:
		um, _ := unknown.(map[string]any)
		out := make(map[string]any, len(a))
		for k, v := range a {
			if kv, ok := known(v, um[k]); ok {
				out[k] = kv
			}
		}
		return out, true
	case []any:
		ul := alignMarks(a, unknown)
		out := make([]any, 0, len(a))
		for i, v := range a {
			var u any
			if i < len(ul) {
				u = ul[i]
			}
			if kv, ok := known(v, u); ok {
				out = append(out, kv)
			}
		}
		return out, true
	}
	return after, true
}

// alignMarks returns after_unknown's marks for the elements of after.
// Terraform before 1.3.0 left a wholly unknown element of a set or tuple
// out of after but kept its mark (true) in after_unknown (terraform#31236,
// commit 9497b2cd6f), so ["alpha", timestamp(), "charlie"] was written
// after ["alpha", "charlie"], after_unknown [false, true, false]. The
// elements left out are exactly those marked true, so dropping those marks
// lines the rest up again. Any other mismatch gives no marks: what is left
// in an after of that age holds no unknowns, which were omitted.
func alignMarks(after []any, unknown any) []any {
	ul, _ := unknown.([]any)
	if len(ul) == len(after) || ul == nil {
		return ul
	}
	kept := make([]any, 0, len(after))
	for _, m := range ul {
		if m != true {
			kept = append(kept, m)
		}
	}
	if len(kept) != len(after) {
		return nil
	}
	return kept
}

// The getters read one attribute of a known view. ok is false when the
// value is unknown or of another type; a known null is not ok either, since
// no getter caller can use it.

func Str(m map[string]any, key string) (string, bool) {
	s, ok := m[key].(string)
	return s, ok
}

// nonEmpty is str for attributes where Terraform and AWS both mean "unset"
// by the empty string.
func NonEmpty(m map[string]any, key string) (string, bool) {
	s, ok := Str(m, key)
	return s, ok && s != ""
}

func Bool(m map[string]any, key string) (bool, bool) {
	b, ok := m[key].(bool)
	return b, ok
}

func Int(m map[string]any, key string) (int, bool) {
	return ToInt(m[key])
}

func ToInt(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.Atoi(string(n))
		return i, err == nil
	case int:
		return n, true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	}
	return 0, false
}

func List(m map[string]any, key string) ([]any, bool) {
	l, ok := m[key].([]any)
	return l, ok
}

func Object(m map[string]any, key string) (map[string]any, bool) {
	o, ok := m[key].(map[string]any)
	return o, ok
}

// stringList returns the known, non-empty string elements of a list attribute.
func Strings(m map[string]any, key string) []string {
	l, _ := List(m, key)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// firstBlock returns the first element of a nested block list (Terraform
// renders a single nested block as a one-element list).
func FirstBlock(m map[string]any, key string) (map[string]any, bool) {
	l, ok := List(m, key)
	if !ok || len(l) == 0 {
		return nil, false
	}
	b, ok := l[0].(map[string]any)
	return b, ok
}

// stringMap reads a map(string) attribute such as tags, keeping known values.
func StringMap(m map[string]any, key string) (map[string]string, bool) {
	o, ok := Object(m, key)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(o))
	for k, v := range o {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, true
}

func Clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func PutString(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func PutKnown(dst map[string]any, key string, src map[string]any) {
	if v, ok := NonEmpty(src, key); ok {
		dst[key] = v
	}
}

// nullable keeps a nil map a JSON null in Properties rather than a typed
// nil that converts to {}.
func Nullable(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}
