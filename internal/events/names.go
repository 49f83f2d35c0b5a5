package events

import (
	"maps"
	"slices"
)

// CloudTrailEventNames returns, by eventSource ("ec2.amazonaws.com"), the
// sorted CloudTrail eventNames the parser turns into Triggers. The
// EventBridge rules in deploy/terraform must forward exactly these; a test
// there compares them.
func CloudTrailEventNames() map[string][]string {
	out := make(map[string][]string, len(extractors))
	for source, byName := range extractors {
		out[source] = slices.Sorted(maps.Keys(byName))
	}
	return out
}
