package plan

import "time"

// Instance is one managed resource instance of a plan, as a kind's
// normalizer reads it: its address, type and instance key, whether it is
// created or deleted, its planned values with the unknown ones left out,
// its prior values, and its configuration block.

// Addr is the instance's address (module.x.aws_s3_bucket.logs["a"]).
func (in *Instance) Addr() string { return in.addr }

// Type is the Terraform type.
func (in *Instance) Type() string { return in.typ }

// Create is set for creates and replacements: the object starts from AWS's
// defaults for a new resource, not from prior state.
func (in *Instance) Create() bool { return in.create }

// Deleted is set for actions ["delete"]: After is nil, Before holds what
// is going away.
func (in *Instance) Deleted() bool { return in.deleted }

// After is the known part of change.after: a key absent from it is
// unknown, a key holding nil is a known null.
func (in *Instance) After() map[string]any { return in.after }

// Before is change.before; nil on create.
func (in *Instance) Before() map[string]any { return in.before }

// Unknown reports whether after_unknown marks the top-level attribute,
// which tells an unknown apart from an attribute an older provider lacks.
func (in *Instance) Unknown(attr string) bool { return in.unknown[attr] }

// Region is the region of the instance's provider block, "" when not a
// constant.
func (in *Instance) Region() string { return in.region }

// Configures reports whether the resource block sets attr (or writes a
// block of that name), as opposed to leaving it to the provider.
func (in *Instance) Configures(attr string) bool { return in.configures(attr) }

// PlannedAt is when the plan was made, for ages measured in the plan
// (an access key's); false when the plan does not say.
func (in *Instance) PlannedAt() (time.Time, bool) { return in.planned, !in.planned.IsZero() }
