// Package resource holds the normalized resource document that every policy
// sees, whichever plane it came from. It is the contract between the
// preventative plane (Terraform plans) and the reactive plane (live AWS reads):
// the same real configuration must normalize to the same Properties.
//
// Which properties a type has is declared with its kind, in the service
// package that holds it (internal/service/<service>): the kind's doc
// comment lists them, its Normalize and plan.Kind produce them. A property
// whose value is not known (plan plane: after_unknown) is ABSENT, never
// false, "" or []. Integers are Go int, lists are []any, objects are
// map[string]any; tags are a map of every tag (tags_all in a plan), {}
// when none.
package resource

// Plane says where a resource document came from.
type Plane string

const (
	PlanePlan Plane = "plan"
	PlaneLive Plane = "live"
)

// Resource is input.resource for every policy. Properties are normalized per
// type and are identical in both planes; a value unknown at plan time is
// absent from Properties (never false), so policies cannot deny on it.
type Resource struct {
	Type       string            `json:"type"`
	Address    *string           `json:"address"`
	ARN        string            `json:"arn"`
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Account    string            `json:"account"`
	Region     string            `json:"region"`
	Tags       map[string]string `json:"tags"`
	Plane      Plane             `json:"plane"`
	Properties map[string]any    `json:"properties"`
	// TagsErr, live plane only, is why the tags could not be read; Tags is
	// then nil, unknown to the policies. It is not part of the policy
	// input: exemptions read it, to ask a human rather than guess.
	TagsErr error `json:"-"`
}

// Ref identifies a resource without its configuration: what travels in
// events, workflow inputs and IDs. The ARN is the identity.
type Ref struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	ARN     string `json:"arn"`
	Account string `json:"account"`
	Region  string `json:"region"`
}

// String is the ARN, for logs.
func (r Ref) String() string { return r.ARN }
