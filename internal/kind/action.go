package kind

import (
	"context"
	"encoding/json"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Action is one remediation in the allow-list. Nothing outside the
// registry's actions can ever run, whatever a policy's params say.
type Action struct {
	// Name is what policies name in METADATA custom.remediation.
	Name string
	// Permissions are every IAM action Snapshot, Apply and Undo call.
	Permissions []string
	// Describe says in plain words what Apply will do with params. It must
	// be pure: workflows call it.
	Describe func(params map[string]any) string
	// Snapshot reads the prior state Apply will change, for undo and audit.
	Snapshot func(ctx context.Context, env Env, ref resource.Ref, params map[string]any) (any, error)
	// Apply makes the change. A resource already fixed is success with
	// Changed false, so retries and replays are harmless.
	Apply func(ctx context.Context, env Env, ref resource.Ref, params map[string]any) (Applied, error)
	// Undo restores a snapshot Snapshot took; nil when the change cannot be
	// taken back (a deleted console password), which UndoNote then says.
	Undo func(ctx context.Context, env Env, ref resource.Ref, snapshot json.RawMessage) error
	// UndoNote tells humans what an undo cannot bring back.
	UndoNote string
	// Options are what the action takes from the operator (the config's
	// remediation section): a destination, a key, a threshold.
	Options []Option
}

// Option is one setting an action takes from the operator, written in the
// config as remediation.<Key>.
type Option struct {
	Key  string // "flow_logs.destination"
	Help string // what it is, for `rectify controls` and config errors
	// Default is used when the operator gave none; an option without a
	// default is required, and until it is given a violation is only
	// notified, with a message that says what to configure.
	Default string
}

// Applied says what an action did.
type Applied struct {
	// Changed is false when the resource was already fixed.
	Changed bool
	Summary string
}

// Missing lists the required options the operator has not given, as the
// config spells them; empty when the action can run.
func (a *Action) Missing(options map[string]string) []string {
	var out []string
	for _, o := range a.Options {
		if o.Default == "" && options[o.Key] == "" {
			out = append(out, "remediation."+o.Key)
		}
	}
	return out
}

// Option returns the value of an option the action declared: the
// operator's, else its default.
func (env Env) Option(a *Action, key string) string {
	if v := env.Options[key]; v != "" {
		return v
	}
	for _, o := range a.Options {
		if o.Key == key {
			return o.Default
		}
	}
	return ""
}

// Undo kinds, as `rectify controls` shows them.
const (
	UndoRestore           = "restore"
	UndoRestoreWithoutTag = "restore-without-exemption-tag"
	UndoNone              = "none"
)

// UndoKind says how far an undo of the action goes on kind k: restored and
// exempted by tag, restored only (the kind carries no tags, so a config
// exemption must keep it), or not at all.
func (a *Action) UndoKind(k *Kind) string {
	switch {
	case a.Undo == nil:
		return UndoNone
	case !k.Taggable():
		return UndoRestoreWithoutTag
	}
	return UndoRestore
}
