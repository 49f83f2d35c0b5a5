package events

import (
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
)

// event is one CloudTrail record with the fields every Trigger shares already
// read into base.
type event struct {
	rec       fields
	source    string
	name      string
	errorCode string
	readOnly  bool
	base      Trigger
}

func parseRecord(rec fields, env envelope) ([]Trigger, error) {
	e, err := readEvent(rec, env)
	if err != nil {
		return nil, err
	}
	return e.triggers()
}

func readEvent(rec fields, env envelope) (*event, error) {
	e := &event{rec: rec}
	var err error
	if e.source, err = rec.str("eventSource"); err != nil {
		return nil, err
	}
	if e.source == "" {
		return nil, rec.errorf("CloudTrail record has no eventSource")
	}
	if e.name, err = rec.str("eventName"); err != nil {
		return nil, err
	}
	if e.name == "" {
		return nil, rec.errorf("CloudTrail record has no eventName")
	}
	if e.errorCode, err = rec.str("errorCode"); err != nil {
		return nil, err
	}
	if e.readOnly, err = rec.boolean("readOnly"); err != nil {
		return nil, err
	}

	b := &e.base
	b.Source = SourceCloudTrail
	b.EventName = e.name
	if b.EventID, err = rec.str("eventID"); err != nil {
		return nil, err
	}
	identity, err := rec.obj("userIdentity")
	if err != nil {
		return nil, err
	}
	if b.ActorARN, err = identity.str("arn"); err != nil {
		return nil, err
	}
	session, err := identity.obj("sessionContext")
	if err != nil {
		return nil, err
	}
	issuer, err := session.obj("sessionIssuer")
	if err != nil {
		return nil, err
	}
	if b.IssuerARN, err = issuer.str("arn"); err != nil {
		return nil, err
	}
	// The recipient owns the resource; the caller may sit in another
	// account (cross-account roles), so its account is the last resort.
	if b.Account, err = firstOf(rec, "recipientAccountId", env.account, identity, "accountId"); err != nil {
		return nil, err
	}
	if b.Region, err = rec.str("awsRegion"); err != nil {
		return nil, err
	}
	if b.Region == "" {
		b.Region = env.region
	}
	if b.EventTime, err = rec.timestamp("eventTime"); err != nil {
		return nil, err
	}
	if b.EventTime.IsZero() {
		b.EventTime = env.time
	}
	return e, nil
}

func firstOf(rec fields, key, fallback string, last fields, lastKey string) (string, error) {
	v, err := rec.str(key)
	if err != nil || v != "" {
		return v, err
	}
	if fallback != "" {
		return fallback, nil
	}
	return last.str(lastKey)
}

func (e *event) triggers() ([]Trigger, error) {
	calls := service.Registry.Calls(e.source, e.name)
	switch {
	case e.errorCode != "":
		return e.ignoreAll(calls, reasonFailed+e.errorCode), nil
	case e.readOnly || isReadOnlyName(e.name):
		return e.ignoreAll(calls, reasonReadOnly), nil
	case len(calls) == 0:
		return []Trigger{e.ignored(reasonUnsupported + e.source + "/" + e.name)}, nil
	}
	// Without these the starter cannot pick credentials or build the ARN
	// that names the workflow, so the record is useless, not just partial.
	if e.base.Account == "" {
		return nil, e.rec.errorf("%s has no account id (recipientAccountId, the EventBridge account or userIdentity.accountId)", e.name)
	}
	if e.base.Region == "" {
		return nil, e.rec.errorf("%s has no awsRegion", e.name)
	}
	return e.resolve(calls)
}

// resolve finds the resources a call changed, as the kinds that read it
// declare (kind.Call): the first of a call's places that names a resource
// of the kind gives it (all of them with Every), each resource once. What
// a used place names that no kind resolves (a group by name, a key by
// alias, tags on another kind of resource) is reported as ignored; a call
// that names nothing at all is broken.
func (e *event) resolve(calls []kind.Binding) ([]Trigger, error) {
	var out []Trigger
	seen := map[string]bool{}
	resolved := map[string]bool{}
	var missed, unused, nouns, paths []string
	for _, b := range calls {
		k, c := b.Kind, b.Call
		nouns = append(nouns, k.Noun)
		if k.Scope != kind.ScopeResource {
			out = e.add(out, seen, k.Setting(e.base.Account, e.base.Region), c.Deletes)
			continue
		}
		places, err := e.callValues(c)
		if err != nil {
			return nil, err
		}
		paths = append(paths, c.IDs...)
		for _, values := range places {
			var got []resource.Ref
			var miss []string
			for _, v := range values {
				if _, isARN := kind.ParseARN(v); c.ByARNOnly && !isARN {
					miss = append(miss, v)
				} else if ref, ok := k.Resolve(v, e.base.Account, e.base.Region); ok {
					resolved[v] = true
					got = append(got, ref)
				} else {
					miss = append(miss, v)
				}
			}
			if len(got) == 0 {
				unused = append(unused, values...)
				continue
			}
			for _, ref := range got {
				out = e.add(out, seen, ref, c.Deletes)
			}
			missed = append(missed, miss...)
			if !c.Every {
				break
			}
		}
	}
	if len(out) == 0 {
		missed = unused
	}
	noun := strings.Join(slices.Compact(nouns), " or ")
	// Several kinds may read one call (CreateTags names groups, snapshots,
	// subnets and instances alike): a value none of them resolves is
	// reported once, in the order the record lists it.
	reported := map[string]bool{}
	for _, v := range missed {
		if !resolved[v] && !reported[v] {
			reported[v] = true
			t := e.ignored(reasonUnsupported + e.source + "/" + e.name + " (" + v + ": not a " + noun + " id or ARN)")
			t.ResourceID = v
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, e.rec.errorf("%s names no %s (looked at %s)", e.name, noun, strings.Join(slices.Compact(paths), ", "))
	}
	return out, nil
}

// callValues reads the strings at each of a call's places, in order, or
// Extract's when the places hold none.
func (e *event) callValues(c *kind.Call) ([][]string, error) {
	var out [][]string
	any := false
	for _, p := range c.IDs {
		vs, err := e.Strings(p)
		if err != nil {
			return nil, err
		}
		out = append(out, vs)
		any = any || len(vs) > 0
	}
	if !any && c.Extract != nil {
		vs, err := c.Extract(e)
		return [][]string{vs}, err
	}
	return out, nil
}

func (e *event) add(out []Trigger, seen map[string]bool, ref resource.Ref, deletes bool) []Trigger {
	if seen[ref.ARN] {
		return out
	}
	seen[ref.ARN] = true
	t := e.base
	t.ResourceType, t.ResourceID, t.ARN, t.Account, t.Region = ref.Type, ref.ID, ref.ARN, ref.Account, ref.Region
	t.Deleted = deletes
	return append(out, t)
}

// ignoreAll still names the resources when it can, so the starter's log says
// which resource a failed call was aimed at; a record too thin for that is
// fine, since nothing will act on it.
func (e *event) ignoreAll(calls []kind.Binding, reason string) []Trigger {
	if len(calls) > 0 && e.base.Account != "" && e.base.Region != "" {
		if ts, err := e.resolve(calls); err == nil && len(ts) > 0 {
			for i := range ts {
				ts[i].Ignored, ts[i].Reason, ts[i].Deleted = true, reason, false
			}
			return ts
		}
	}
	return []Trigger{e.ignored(reason)}
}

func (e *event) ignored(reason string) Trigger {
	t := e.base
	t.Ignored, t.Reason = true, reason
	return t
}

func isReadOnlyName(name string) bool {
	for _, prefix := range []string{"Describe", "Get", "List", "Head"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}
