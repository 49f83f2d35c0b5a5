package events

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Name is the record's eventName (kind.Record).
func (e *event) Name() string { return e.name }

// Strings returns every string at a dotted path of the record (kind.Record):
// "requestParameters.groupId", or with '*' for every element of an array,
// "responseElements.securityGroupRuleSet.items.*.groupId". Keys match
// case-insensitively, an EC2 "items" wrapper may be missing (forwarders
// flatten it), and a lone value stands for a list of one, as elsewhere in
// this package. An absent path has no strings; a value of the wrong shape is
// an error that names it.
func (e *event) Strings(path string) ([]string, error) {
	segs := strings.Split(path, ".")
	return valueStrings(e.rec.lookup(segs[0]), e.rec.child(segs[0]), segs[1:])
}

func valueStrings(raw json.RawMessage, path string, segs []string) ([]string, error) {
	k := jsonKind(raw)
	if k == "missing" || k == "null" {
		return nil, nil
	}
	if len(segs) == 0 {
		if k == "an array" {
			return eachStrings(raw, path, nil)
		}
		s, ok, err := scalar(raw)
		switch {
		case err != nil:
			return nil, &ParseError{Reason: "cannot decode " + path, Err: err}
		case !ok:
			return nil, malformed("%s is %s, expected a string", path, describe(raw))
		case s == "":
			return nil, nil
		}
		return []string{s}, nil
	}
	if segs[0] == "*" {
		return eachStrings(raw, path, segs[1:])
	}
	if segs[0] == "items" && k == "an array" {
		return valueStrings(raw, path, segs[1:])
	}
	o, err := toObject(raw, path)
	if err != nil {
		return nil, err
	}
	return valueStrings(o.lookup(segs[0]), o.child(segs[0]), segs[1:])
}

// eachStrings collects the strings under every element of an array (a lone
// object counts as one element).
func eachStrings(raw json.RawMessage, path string, segs []string) ([]string, error) {
	var elems []json.RawMessage
	switch jsonKind(raw) {
	case "an array":
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, &ParseError{Reason: "cannot decode " + path, Err: err}
		}
	case "an object":
		elems = []json.RawMessage{raw}
	case "a string":
		if s, _, _ := scalar(raw); s == "" {
			return nil, nil
		}
		if len(segs) == 0 {
			return valueStrings(raw, path, nil)
		}
		return nil, malformed("%s is %s, expected an array", path, describe(raw))
	default:
		return nil, malformed("%s is %s, expected an array", path, describe(raw))
	}
	var out []string
	for i, el := range elems {
		vs, err := valueStrings(el, path+"["+strconv.Itoa(i)+"]", segs)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}
