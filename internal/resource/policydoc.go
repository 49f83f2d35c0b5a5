package resource

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// NormalizePolicyDocument turns IAM policy JSON (a bucket policy, an inline
// IAM policy) into the form both planes put in Properties. Terraform keeps
// the document as the user wrote it, while AWS hands back its own rewrite
// (single-element lists as strings, account IDs as root ARNs), so both
// planes pass the text through here and policies see one shape:
//
//	{"Version": "2012-10-17", "Id": "…",          // when present
//	 "Statement": [{
//	   "Sid": "…",                                 // when non-empty
//	   "Effect": "Allow" | "Deny",
//	   "Principal" | "NotPrincipal": "*" | {"AWS": [...], "Service": [...], ...},
//	   "Action" | "NotAction" | "Resource" | "NotResource": [...],
//	   "Condition": {"Operator": {"key": ["value", ...]}}}]}
//
// Lists are sorted and de-duplicated; statement order is kept, so an index
// into Statement names the same statement as in the original text. A bare
// 12-digit AWS principal becomes arn:aws:iam::ID:root as AWS stores it.
// Condition values become strings ("false", not false), as IAM compares them.
// Empty text means no document: nil, nil.
func NormalizePolicyDocument(text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("policy document is not a JSON object: %w", err)
	}
	doc := map[string]any{}
	for _, k := range []string{"Version", "Id"} {
		if s, ok := raw[k].(string); ok && s != "" {
			doc[k] = s
		}
	}
	var stmts []any
	switch s := raw["Statement"].(type) {
	case nil:
	case map[string]any:
		stmts = []any{s}
	case []any:
		stmts = s
	default:
		return nil, fmt.Errorf("policy document: Statement is %T, want an object or a list", s)
	}
	out := make([]any, 0, len(stmts))
	for i, s := range stmts {
		obj, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy document: Statement[%d] is %T, want an object", i, s)
		}
		st, err := normalizeStatement(obj)
		if err != nil {
			return nil, fmt.Errorf("policy document: Statement[%d]: %w", i, err)
		}
		out = append(out, st)
	}
	doc["Statement"] = out
	return doc, nil
}

var listElements = []string{"Action", "NotAction", "Resource", "NotResource"}

func normalizeStatement(raw map[string]any) (map[string]any, error) {
	st := map[string]any{}
	if sid, ok := raw["Sid"].(string); ok && sid != "" {
		st["Sid"] = sid
	}
	if e, ok := raw["Effect"].(string); ok {
		st["Effect"] = e
	}
	for _, k := range []string{"Principal", "NotPrincipal"} {
		v, ok := raw[k]
		if !ok {
			continue
		}
		p, err := normalizePrincipal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		st[k] = p
	}
	for _, k := range listElements {
		v, ok := raw[k]
		if !ok {
			continue
		}
		l, err := stringSet(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		st[k] = l
	}
	if c, ok := raw["Condition"]; ok {
		cond, err := normalizeCondition(c)
		if err != nil {
			return nil, fmt.Errorf("Condition: %w", err)
		}
		st["Condition"] = cond
	}
	return st, nil
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

func normalizePrincipal(v any) (any, error) {
	if s, ok := v.(string); ok {
		if s == "*" {
			return "*", nil
		}
		return nil, fmt.Errorf("string principal %q: only \"*\" may be written without a type", s)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("is %T, want \"*\" or an object", v)
	}
	out := make(map[string]any, len(obj))
	for typ, vals := range obj {
		l, err := stringSet(vals)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", typ, err)
		}
		if typ == "AWS" {
			for i, p := range l {
				if s := p.(string); accountID.MatchString(s) {
					l[i] = "arn:aws:iam::" + s + ":root"
				}
			}
			l = sortedUnique(l)
		}
		out[typ] = l
	}
	return out, nil
}

func normalizeCondition(v any) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("is %T, want an object", v)
	}
	out := make(map[string]any, len(obj))
	for op, keys := range obj {
		kobj, ok := keys.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is %T, want an object", op, keys)
		}
		m := make(map[string]any, len(kobj))
		for k, vals := range kobj {
			l, err := stringSet(vals)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", op, k, err)
			}
			m[k] = l
		}
		out[op] = m
	}
	return out, nil
}

// stringSet accepts a scalar or a list of scalars and returns a sorted,
// de-duplicated []any of strings.
func stringSet(v any) ([]any, error) {
	var items []any
	if l, ok := v.([]any); ok {
		items = l
	} else {
		items = []any{v}
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		s, err := scalarString(it)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return sortedUnique(out), nil
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case json.Number:
		return x.String(), nil
	case float64, int:
		return fmt.Sprint(x), nil
	}
	return "", fmt.Errorf("value %v is %T, want a string, number or bool", v, v)
}

func sortedUnique(l []any) []any {
	slices.SortFunc(l, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	return slices.CompactFunc(l, func(a, b any) bool { return a.(string) == b.(string) })
}
