package deploy

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// matchPattern reports whether an EventBridge event pattern matches an
// event, with EventBridge's semantics for what the rules here use: value
// lists, prefix, suffix, equals-ignore-case, anything-but (a value, a list
// or a prefix), exists, nested objects and $or. Arrays in the event are
// flattened, and every leaf path is matched on its own, as EventBridge does
// (so fields of different array elements can satisfy one pattern). A
// matcher it does not know is an error, never a silent match.
func matchPattern(pattern map[string]any, event any) (bool, error) {
	return matchNodes(pattern, []any{event})
}

func matchNodes(pattern map[string]any, nodes []any) (bool, error) {
	for key, want := range pattern {
		if key == "$or" {
			subs, ok := want.([]any)
			if !ok || len(subs) < 2 {
				return false, fmt.Errorf("$or wants a list of at least two patterns, got %v", want)
			}
			matched := false
			for _, sub := range subs {
				obj, ok := sub.(map[string]any)
				if !ok {
					return false, fmt.Errorf("$or element %v is not an object", sub)
				}
				ok, err := matchNodes(obj, nodes)
				if err != nil {
					return false, err
				}
				matched = matched || ok
			}
			if !matched {
				return false, nil
			}
			continue
		}
		children := childNodes(nodes, key)
		var ok bool
		var err error
		switch w := want.(type) {
		case map[string]any:
			ok, err = matchNodes(w, children)
		case []any:
			ok, err = matchLeaf(w, children)
		default:
			return false, fmt.Errorf("pattern field %s is %T: want an object or a list", key, want)
		}
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// childNodes collects the values of key in every object node, flattening
// arrays.
func childNodes(nodes []any, key string) []any {
	var out []any
	var add func(v any)
	add = func(v any) {
		if l, ok := v.([]any); ok {
			for _, e := range l {
				add(e)
			}
			return
		}
		out = append(out, v)
	}
	for _, n := range nodes {
		if m, ok := n.(map[string]any); ok {
			if v, ok := m[key]; ok {
				add(v)
			}
		}
	}
	return out
}

// matchLeaf: any value at the path matches any matcher of the list; a
// missing path matches only {"exists": false}.
func matchLeaf(matchers []any, values []any) (bool, error) {
	if len(matchers) == 0 {
		return false, fmt.Errorf("empty matcher list")
	}
	for _, m := range matchers {
		if obj, ok := m.(map[string]any); ok {
			if e, ok := obj["exists"]; ok {
				if b, _ := e.(bool); b == (len(values) > 0) {
					return true, nil
				}
				continue
			}
		}
		for _, v := range values {
			ok, err := matchValue(m, v)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

func matchValue(matcher, v any) (bool, error) {
	obj, ok := matcher.(map[string]any)
	if !ok {
		return reflect.DeepEqual(matcher, v), nil
	}
	if len(obj) != 1 {
		return false, fmt.Errorf("matcher %v: want exactly one operator", obj)
	}
	s, isString := v.(string)
	for op, arg := range obj {
		switch op {
		case "prefix":
			p, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("prefix %v is not a string", arg)
			}
			return isString && strings.HasPrefix(s, p), nil
		case "suffix":
			p, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("suffix %v is not a string", arg)
			}
			return isString && strings.HasSuffix(s, p), nil
		case "equals-ignore-case":
			p, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("equals-ignore-case %v is not a string", arg)
			}
			return isString && strings.EqualFold(s, p), nil
		case "anything-but":
			switch a := arg.(type) {
			case map[string]any:
				ok, err := matchValue(a, v)
				return !ok, err
			case []any:
				return !slices.ContainsFunc(a, func(x any) bool { return reflect.DeepEqual(x, v) }), nil
			default:
				return !reflect.DeepEqual(a, v), nil
			}
		default:
			return false, fmt.Errorf("matcher %q is not understood by this test", op)
		}
	}
	return false, nil
}

func TestMatchPattern(t *testing.T) {
	event := decodeJSON(t, `{"source":"aws.ec2","detail":{"eventName":"CreateTags","errorCode":null,
		"requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-1"},{"resourceId":"sg-1"}]}},
		"findings":[{"Compliance":{"Status":"FAILED"},"GeneratorId":"rectify/x"},{"Compliance":{"Status":"PASSED"},"GeneratorId":"other"}]}}`)
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.ec2"]}`, true},
		{`{"source":["aws.s3"]}`, false},
		{`{"detail":{"eventName":["CreateTags","DeleteTags"]}}`, true},
		{`{"detail":{"missing":[{"exists":false}]}}`, true},
		{`{"detail":{"missing":[{"exists":true}]}}`, false},
		{`{"detail":{"eventName":[{"exists":true}]}}`, true},
		{`{"detail":{"errorCode":[{"exists":false}]}}`, false}, // null is a value
		{`{"nothing":{"deeper":[{"exists":false}]}}`, true},
		{`{"detail":{"requestParameters":{"resourcesSet":{"items":{"resourceId":[{"prefix":"sg-"}]}}}}}`, true},
		{`{"detail":{"requestParameters":{"resourcesSet":{"items":{"resourceId":[{"prefix":"vol-"}]}}}}}`, false},
		{`{"detail":{"$or":[{"eventName":["X"]},{"eventName":["CreateTags"]}]}}`, true},
		{`{"detail":{"$or":[{"eventName":["X"]},{"eventName":["Y"]}]}}`, false},
		{`{"detail":{"findings":{"Compliance":{"Status":["FAILED"]}}}}`, true},
		{`{"detail":{"findings":{"GeneratorId":[{"anything-but":{"prefix":"rectify/"}}]}}}`, true},
		{`{"detail":{"findings":{"GeneratorId":[{"anything-but":["rectify/x","other"]}]}}}`, false},
		{`{"source":[{"suffix":".ec2"}]}`, true},
		{`{"source":[{"equals-ignore-case":"AWS.EC2"}]}`, true},
	} {
		got, err := matchPattern(decodeJSON(t, tc.pattern).(map[string]any), event)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.pattern, got, err, tc.want)
		}
	}
	if _, err := matchPattern(map[string]any{"source": []any{map[string]any{"wildcard": "*"}}}, event); err == nil {
		t.Error("an unknown matcher must be an error")
	}
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}
