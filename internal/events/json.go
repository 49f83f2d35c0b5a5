package events

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// fields is one JSON object, decoded a level at a time so that a field of an
// unexpected shape fails with its path instead of failing the whole message.
//
// CloudTrail is loose about shape, and the pipelines that forward it are
// looser still: key case varies (Host/host; Panther lower-cases nested keys),
// empty collections arrive as {} or "", single values arrive as one-element
// arrays, and numbers arrive as strings. The accessors accept all of these and
// reject only what cannot mean the value asked for.
type fields struct {
	path string // where this object sits in the message, for error messages
	m    map[string]json.RawMessage
}

// jsonKind names the JSON type of raw for error messages and shape checks.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "missing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// asObject decodes raw, which must be a JSON object.
func asObject(raw json.RawMessage, path string) (fields, error) {
	f := fields{path: path}
	if k := jsonKind(raw); k != "an object" {
		return f, malformed("%s is %s, expected an object", name(path), k)
	}
	if err := json.Unmarshal(raw, &f.m); err != nil {
		return f, &ParseError{Reason: "cannot decode " + name(path), Err: err}
	}
	return f, nil
}

func name(path string) string {
	if path == "" {
		return "the message"
	}
	return path
}

func (f fields) child(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// errorf prefixes a record-level complaint with where the record sits
// ("detail", "Records[3]") when that is not the top of the message.
func (f fields) errorf(format string, args ...any) *ParseError {
	err := malformed(format, args...)
	if f.path != "" {
		err.Reason = f.path + ": " + err.Reason
	}
	return err
}

// lookup finds key exactly, or failing that case-insensitively. When several
// keys differ only in case, the first in byte order wins, so the answer does
// not depend on map iteration order.
func (f fields) lookup(key string) json.RawMessage {
	if raw, ok := f.m[key]; ok {
		return raw
	}
	found := ""
	for k := range f.m {
		if strings.EqualFold(k, key) && (found == "" || k < found) {
			found = k
		}
	}
	if found == "" {
		return nil
	}
	return f.m[found]
}

func (f fields) has(key string) bool { return f.lookup(key) != nil }

// str reads a scalar as text. Numbers keep their literal spelling, so an
// account id sent as a number is not mangled by float conversion.
func (f fields) str(key string) (string, error) {
	raw := f.lookup(key)
	s, ok, err := scalar(raw)
	if err != nil {
		return "", &ParseError{Reason: "cannot decode " + f.child(key), Err: err}
	}
	if !ok {
		return "", malformed("%s is %s, expected a string", f.child(key), describe(raw))
	}
	return s, nil
}

// scalar returns the text of a string, number or boolean; "" for nothing,
// null, {} and []; and the element of a one-element array of those.
func scalar(raw json.RawMessage) (s string, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	switch jsonKind(raw) {
	case "missing", "null":
		return "", true, nil
	case "a string":
		err = json.Unmarshal(raw, &s)
		return s, err == nil, err
	case "a number", "a boolean":
		return string(raw), true, nil
	case "an object":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return "", false, err
		}
		return "", len(m) == 0, nil
	default: // an array
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return "", false, err
		}
		switch len(a) {
		case 0:
			return "", true, nil
		case 1:
			if k := jsonKind(a[0]); k == "an array" || k == "an object" {
				return "", false, nil
			}
			return scalar(a[0])
		}
		return "", false, nil
	}
}

func describe(raw json.RawMessage) string {
	if jsonKind(raw) == "an array" {
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) == nil {
			return "an array of " + strconv.Itoa(len(a))
		}
	}
	return jsonKind(raw)
}

// obj reads a nested object. Absent, null, "" and [] mean an empty object;
// a one-element array holding an object means that object.
func (f fields) obj(key string) (fields, error) {
	return toObject(f.lookup(key), f.child(key))
}

// toObject is obj for a value already looked up.
func toObject(raw json.RawMessage, path string) (fields, error) {
	switch jsonKind(raw) {
	case "missing", "null":
		return fields{path: path}, nil
	case "an object":
		return asObject(raw, path)
	case "a string":
		if s, _, _ := scalar(raw); s == "" {
			return fields{path: path}, nil
		}
	case "an array":
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return fields{path: path}, &ParseError{Reason: "cannot decode " + path, Err: err}
		}
		switch {
		case len(a) == 0:
			return fields{path: path}, nil
		case len(a) == 1 && jsonKind(a[0]) == "an object":
			return asObject(a[0], path+"[0]")
		}
	}
	return fields{path: path}, malformed("%s is %s, expected an object", path, describe(raw))
}

// list reads an array. Absent, null, "" and {} mean empty; a lone non-empty
// object means a list of one, which is how some forwarders flatten lists.
func (f fields) list(key string) ([]json.RawMessage, error) {
	raw := f.lookup(key)
	path := f.child(key)
	switch jsonKind(raw) {
	case "missing", "null":
		return nil, nil
	case "an array":
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, &ParseError{Reason: "cannot decode " + path, Err: err}
		}
		return a, nil
	case "an object":
		o, err := asObject(raw, path)
		if err != nil || len(o.m) == 0 {
			return nil, err
		}
		return []json.RawMessage{raw}, nil
	case "a string":
		if s, _, _ := scalar(raw); s == "" {
			return nil, nil
		}
	}
	return nil, malformed("%s is %s, expected an array", path, jsonKind(raw))
}

// items reads one of EC2's wrapped lists ({"items": [...]}), also accepting
// the bare array some forwarders produce.
func (f fields) items(key string) ([]fields, error) {
	var raws []json.RawMessage
	var path string
	if jsonKind(f.lookup(key)) == "an array" {
		var err error
		if raws, err = f.list(key); err != nil {
			return nil, err
		}
		path = f.child(key)
	} else {
		set, err := f.obj(key)
		if err != nil {
			return nil, err
		}
		if raws, err = set.list("items"); err != nil {
			return nil, err
		}
		path = set.child("items")
	}
	out := make([]fields, 0, len(raws))
	for i, raw := range raws {
		o, err := asObject(raw, path+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// boolean reads true/false, also spelled as strings.
func (f fields) boolean(key string) (bool, error) {
	s, err := f.str(key)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(s) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, malformed("%s is %q, expected true or false", f.child(key), s)
}

// timeLayouts are the spellings of eventTime seen in the wild: CloudTrail's
// own, and the ones SIEM exports rewrite it to.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// timestamp reads a time; absent means the zero time, so the caller can fall
// back to the envelope's.
func (f fields) timestamp(key string) (time.Time, error) {
	s, err := f.str(key)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, malformed("%s is %q, expected a time like 2006-01-02T15:04:05Z", f.child(key), s)
}
