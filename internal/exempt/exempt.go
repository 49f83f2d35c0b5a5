// Package exempt reads the exemption tags, for the reactive plane
// (activities) and the preventative plane (rectify check) alike, so that a
// tag means the same in CI and in production.
package exempt

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
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
	// Owner and Until, when the exemption names them, are who answers for
	// it (a config rule's owner) and when it ends (the rule's expires, the
	// rectify:exempt-until tag), as written: the audit trail and `rectify
	// report` list them.
	Owner string `json:"owner,omitempty"`
	Until string `json:"until,omitempty"`
	// Expired is set when an exemption exists but its date has passed.
	Expired bool `json:"expired,omitempty"`
	// Uncertain is set when whether the resource is exempt cannot be told:
	// its tags could not be read, or an exemption tag that names this
	// policy is malformed. It does not exempt, and it does not let rectify
	// fix on its own either: the violation waits for a human (approve
	// mode), and Reason says why. Failing open would let a typo or a
	// missing permission switch security off; failing closed would let
	// them override a human's exemption.
	Uncertain bool `json:"uncertain,omitempty"`
}

// FromTags reads the tag form: rectify:exempt = "all" or a comma list of
// policy ids, with an optional rectify:exempt-until RFC 3339 date (or
// date-time). An unreadable date does not exempt, and leaves the exemption
// Uncertain: someone meant to exempt the resource until some time, and
// rectify cannot tell whether that time has passed.
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
		return Exemption{Uncertain: true, Reason: fmt.Sprintf("tag %s=%q is not an RFC 3339 date (such as 2027-01-31), so whether %s=%s still applies cannot be told",
			TagExemptUntil, until, TagExempt, list)}
	}
	if !now.Before(t) {
		return Exemption{Expired: true, Reason: fmt.Sprintf("exemption %s=%s expired on %s", TagExempt, list, until)}
	}
	return Exemption{Exempt: true, Reason: fmt.Sprintf("tag %s=%s until %s", TagExempt, list, until), Until: until}
}

// ParseDate reads an exemption expiry: an RFC 3339 date-time or a date.
func ParseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// Rule is the config form of an exemption, for what cannot carry tags (the
// EBS setting, IAM groups) or must not be exempted by whoever can tag it.
// Every field is required: an exemption nobody owns, with no reason or no
// end, is how security quietly erodes.
type Rule struct {
	// ARN is a pattern in which '*' matches any run of characters, '/'
	// and ':' included: "arn:aws:s3:::public-site-*".
	ARN string `yaml:"arn"`
	// Policies are policy ids, or "all".
	Policies []string `yaml:"policies"`
	Reason   string   `yaml:"reason"`
	Owner    string   `yaml:"owner"`
	// Expires is an RFC 3339 date or date-time.
	Expires string `yaml:"expires"`
}

// Validate names the first field of the rule that is missing or wrong.
func (r Rule) Validate() error {
	switch {
	case r.ARN == "":
		return fmt.Errorf("arn: required (an ARN or a pattern with *)")
	case len(r.Policies) == 0:
		return fmt.Errorf("policies: required (policy ids, or all)")
	case r.Reason == "":
		return fmt.Errorf("reason: required")
	case r.Owner == "":
		return fmt.Errorf("owner: required")
	case r.Expires == "":
		return fmt.Errorf("expires: required (an RFC 3339 date such as 2027-01-31)")
	}
	if _, err := ParseDate(r.Expires); err != nil {
		return fmt.Errorf("expires: %q is not an RFC 3339 date or date-time", r.Expires)
	}
	return nil
}

func (r Rule) covers(arn, policyID string) bool {
	return resource.MatchARN(r.ARN, arn) && (slices.Contains(r.Policies, "all") || slices.Contains(r.Policies, policyID))
}

// FromRules finds a rule that exempts the resource from the policy now. A
// rule that matched but has expired is reported as Expired when no other
// rule exempts; a rule whose date cannot be read never exempts and makes
// the answer Uncertain (config validation refuses such a rule at load, so
// this is a last guard).
func FromRules(rules []Rule, arn, policyID string, now time.Time) Exemption {
	var expired, uncertain Exemption
	for _, r := range rules {
		if !r.covers(arn, policyID) {
			continue
		}
		until, err := ParseDate(r.Expires)
		switch {
		case err != nil:
			if !uncertain.Uncertain {
				uncertain = Exemption{Uncertain: true, Reason: fmt.Sprintf("config exemption %s (owner %s) has expires %q, not an RFC 3339 date", r.ARN, r.Owner, r.Expires)}
			}
			continue
		case !now.Before(until):
			if !expired.Expired {
				expired = Exemption{Expired: true, Reason: fmt.Sprintf("config exemption %s (owner %s) expired on %s", r.ARN, r.Owner, r.Expires)}
			}
			continue
		}
		return Exemption{Exempt: true, Reason: fmt.Sprintf("config exemption %s until %s, owner %s: %s", r.ARN, r.Expires, r.Owner, r.Reason),
			Owner: r.Owner, Until: r.Expires}
	}
	if uncertain.Uncertain {
		return uncertain
	}
	return expired
}

// For combines the tag form and the config form: either exempts. When
// neither does, an uncertain answer (tags that could not be read, tagsErr;
// a malformed tag or rule) wins over an expiry, which wins over nothing.
// tagsErr, when not nil, is why the resource's tags could not be read: only
// a config rule can then exempt it.
func For(tags map[string]string, tagsErr error, rules []Rule, arn, policyID string, now time.Time) Exemption {
	var byTag Exemption
	if tagsErr == nil {
		byTag = FromTags(tags, policyID, now)
		if byTag.Exempt {
			return byTag
		}
	}
	byRule := FromRules(rules, arn, policyID, now)
	switch {
	case byRule.Exempt:
		return byRule
	case tagsErr != nil:
		return Exemption{Uncertain: true, Reason: fmt.Sprintf("the resource's tags could not be read (%v), so whether a %s tag exempts it cannot be told", tagsErr, TagExempt)}
	case byTag.Uncertain:
		return byTag
	case byRule.Uncertain || byRule.Expired:
		return byRule
	}
	return byTag
}
