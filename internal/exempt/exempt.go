// Package exempt reads the exemption tags, for the reactive plane
// (activities) and the preventative plane (rectify check) alike, so that a
// tag means the same in CI and in production.
package exempt

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Exemption tags. They are in the policy input too, so adding or removing
// one is itself a change that CloudTrail records and rectify re-evaluates.
const (
	TagExempt      = "rectify:exempt"
	TagExemptUntil = "rectify:exempt-until"
)

// Exemption says whether a violation must not be remediated, and why.
type Exemption struct {
	Exempt bool   `json:"exempt"`
	Reason string `json:"reason"`
	// Expired is set when an exemption exists but its date has passed.
	Expired bool `json:"expired,omitempty"`
}

// FromTags reads the tag form: rectify:exempt = "all" or a comma list of
// policy ids, with an optional rectify:exempt-until RFC 3339 date (or
// date-time). An unreadable date does not exempt: failing open would let a
// typo switch security off.
func FromTags(tags map[string]string, policyID string, now time.Time) Exemption {
	list, ok := tags[TagExempt]
	if !ok {
		return Exemption{}
	}
	ids := strings.Split(list, ",")
	for i := range ids {
		ids[i] = strings.TrimSpace(ids[i])
	}
	if !slices.Contains(ids, "all") && !slices.Contains(ids, policyID) {
		return Exemption{}
	}
	until, hasUntil := tags[TagExemptUntil]
	if !hasUntil {
		return Exemption{Exempt: true, Reason: fmt.Sprintf("tag %s=%s", TagExempt, list)}
	}
	t, err := ParseDate(until)
	if err != nil {
		return Exemption{Reason: fmt.Sprintf("tag %s=%q is not an RFC 3339 date; exemption ignored", TagExemptUntil, until)}
	}
	if !now.Before(t) {
		return Exemption{Expired: true, Reason: fmt.Sprintf("exemption %s=%s expired on %s", TagExempt, list, until)}
	}
	return Exemption{Exempt: true, Reason: fmt.Sprintf("tag %s=%s until %s", TagExempt, list, until)}
}

// ParseDate reads an exemption expiry: an RFC 3339 date-time or a date.
func ParseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}
