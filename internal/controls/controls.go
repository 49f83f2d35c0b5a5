// Package controls is the catalogue of what rectify checks and fixes: one
// entry per policy, from its METADATA (id, title, severity, FSBP and CIS
// ids, action, default mode) and from the kind registry (which planes see
// the resource, whether and how the fix can be undone, the IAM permissions
// it needs, what the operator must configure first). `rectify controls`
// prints it and docs/controls.md is generated from it, so neither can
// drift from the code.
package controls

import (
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/policies"
)

// Control is one policy as an operator reads it.
type Control struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Severity    string   `json:"severity"`
	Controls    []string `json:"controls"` // "AWS FSBP EC2.13", "CIS AWS 5.2"
	// ResourceType is the kind judged (the first, when a policy judges
	// several: ResourceTypes lists them all).
	ResourceType  string   `json:"resource_type"`
	ResourceTypes []string `json:"resource_types"`
	Planes        []string `json:"planes"` // "plan", "live"
	// Action is the remediation; empty when the control only notifies.
	Action      string `json:"action"`
	DefaultMode string `json:"default_mode"`
	// Undo is "restore", "restore-without-exemption-tag" or "none".
	Undo string `json:"undo"`
	// UndoNote says what an undo cannot bring back.
	UndoNote string `json:"undo_note,omitempty"`
	// Permissions are the IAM actions of the reads and the action.
	Permissions []string `json:"permissions"`
	// Requires lists the config entries the action needs before it can run
	// (until then the control only notifies).
	Requires []string `json:"requires,omitempty"`
	// Options are every setting the action takes from the config's
	// remediation section, with what the operator must know about it.
	Options []Option `json:"options,omitempty"`
}

// Option is one remediation setting of a control's action.
type Option struct {
	Key     string `json:"key"` // as the config spells it: remediation.<key>
	Help    string `json:"help"`
	Default string `json:"default,omitempty"`
}

// List builds the catalogue, sorted by id.
func List(set *policies.Set, reg *kind.Registry, planKinds *plan.Kinds) []Control {
	var out []Control
	for _, m := range set.Policies() {
		c := Control{
			ID: m.ID, Title: m.Title, Description: m.Description, Severity: m.Severity,
			Controls: slices.Clone(m.Controls), ResourceTypes: slices.Clone(m.ResourceTypes),
			DefaultMode: m.DefaultMode, Undo: kind.UndoNone,
		}
		if len(m.ResourceTypes) > 0 {
			c.ResourceType = m.ResourceTypes[0]
		}
		perms := map[string]bool{}
		live, planned := false, false
		for _, t := range m.ResourceTypes {
			if k, ok := reg.Kind(t); ok && k.Fetch != nil {
				live = true
				for _, p := range k.Permissions.Read {
					perms[p] = true
				}
			}
			planned = planned || slices.Contains(planKinds.Types(), t)
		}
		if planned && m.Judges("plan") {
			c.Planes = append(c.Planes, "plan")
		}
		if live && m.Judges("live") {
			c.Planes = append(c.Planes, "live")
		}
		if act, ok := reg.Action(m.Remediation); ok {
			c.Action = act.Name
			for _, p := range act.Permissions {
				perms[p] = true
			}
			c.Requires = act.Missing(nil)
			for _, o := range act.Options {
				c.Options = append(c.Options, Option{Key: "remediation." + o.Key, Help: o.Help, Default: o.Default})
			}
			if k, ok := reg.Kind(c.ResourceType); ok {
				c.Undo = act.UndoKind(k)
			}
			c.UndoNote = act.UndoNote
		}
		for p := range perms {
			c.Permissions = append(c.Permissions, p)
		}
		slices.Sort(c.Permissions)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Control) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// FSBP lists the distinct AWS FSBP ids of the controls with an action,
// sorted ("EC2.13", ...): what rectify fixes, as AWS numbers it.
func FSBP(cs []Control) []string {
	seen := map[string]bool{}
	for _, c := range cs {
		if c.Action == "" {
			continue
		}
		for _, id := range c.Controls {
			if rest, ok := strings.CutPrefix(id, "AWS FSBP "); ok {
				seen[rest] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
