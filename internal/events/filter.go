package events

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Filter is the first layer of loop prevention: a change made by one of
// rectify's own remediation roles must not start another evaluation of the
// resource it just fixed.
type Filter struct {
	// RemediationRoles are ARN patterns in which '*' matches any run of
	// characters, e.g. "arn:aws:iam::*:role/rectify-remediation". A role
	// pattern also matches that role's sessions
	// (arn:aws:sts::ACCT:assumed-role/NAME/SESSION), which is what CloudTrail
	// records as the actor.
	RemediationRoles []string
}

// Apply returns a copy of ts in which each Trigger whose actor (ActorARN or
// IssuerARN) matches a remediation role is ignored. Triggers already ignored
// keep their first reason.
func (f Filter) Apply(ts []Trigger) []Trigger {
	if ts == nil {
		return nil
	}
	out := make([]Trigger, len(ts))
	copy(out, ts)
	for i := range out {
		t := &out[i]
		if t.Ignored {
			continue
		}
		for _, arn := range []string{t.ActorARN, t.IssuerARN} {
			if f.matches(arn) {
				t.Ignored, t.Reason = true, reasonRemediation+arn
				break
			}
		}
	}
	return out
}

func (f Filter) matches(arn string) bool {
	if arn == "" {
		return false
	}
	role := roleOfSession(arn)
	for _, pattern := range f.RemediationRoles {
		if resource.MatchARN(pattern, arn) || (role != "" && resource.MatchARN(pattern, role)) {
			return true
		}
	}
	return false
}

// roleOfSession turns arn:P:sts::ACCT:assumed-role/NAME/SESSION into the
// role's ARN, arn:P:iam::ACCT:role/NAME. The session ARN drops the role's
// path, so a role with a path matches by name only this way.
func roleOfSession(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sts" {
		return ""
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == "" {
		return ""
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + name
}
