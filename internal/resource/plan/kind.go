package plan

import (
	"fmt"
	"slices"
	"sort"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Kind is how one kind of resource appears in a plan: the Terraform types
// that make its document, and the separate resources joined into it. A
// kind's service package declares it; the registry names it by Type.
type Kind struct {
	// Type is the document type (the kind's Terraform type name). The
	// registry fills it in from the kind.
	Type string
	// Standalone builds the document of each of these Terraform types from
	// its own planned values alone.
	Standalone map[string]func(in *Instance) (resource.Resource, error)
	// Parents are the Terraform types children join into. Build returns the
	// document being assembled and the value children name it by (its id;
	// "" when unknown, as on a create).
	Parents map[string]func(in *Instance) (doc Doc, key string, err error)
	// Children are the separate resources joined into a parent of this
	// kind, each by the attribute that names the parent
	// (aws_s3_bucket_public_access_block → "bucket").
	Children map[string]string
	// Synthetic builds the document of a parent the plan does not hold
	// (managed elsewhere, or named through a variable) from a child that
	// names it: only what the children say is known. Required with
	// Children.
	Synthetic func(child *Instance, key string) Doc
}

// Empty reports whether the kind has no plan plane (Terraform cannot
// express it).
func (k Kind) Empty() bool {
	return len(k.Standalone) == 0 && len(k.Parents) == 0 && len(k.Children) == 0
}

// Doc is a parent document being assembled from its own planned values and
// the children that join it.
type Doc interface {
	// Join folds one child into the document. A child with a prior value
	// (update, no-op, delete) first takes that value out of what the
	// parent's own state reported, so a rule is neither counted twice nor
	// kept after its resource is deleted.
	Join(child *Instance) error
	Resource() resource.Resource
}

// Kinds indexes the kinds a normalization knows, by Terraform type.
type Kinds struct {
	parents    map[string]parentKind
	children   map[string]childKind
	standalone map[string]standaloneKind
	synthetic  map[string]func(child *Instance, key string) Doc // by family
	types      []string
}

type parentKind struct {
	family string // the document type
	build  func(in *Instance) (Doc, string, error)
}

// childKind says which attribute of a child names its parent.
type childKind struct {
	family string
	attr   string
}

type standaloneKind struct {
	typ   string
	build func(in *Instance) (resource.Resource, error)
}

// NewKinds indexes kinds. A Terraform type claimed twice, or children
// without a synthetic parent, is an error: the plane would be ambiguous.
func NewKinds(kinds ...Kind) (*Kinds, error) {
	ks := &Kinds{
		parents: map[string]parentKind{}, children: map[string]childKind{},
		standalone: map[string]standaloneKind{}, synthetic: map[string]func(*Instance, string) Doc{},
	}
	claim := map[string]string{}
	own := func(tf, typ string) error {
		if other, ok := claim[tf]; ok {
			return fmt.Errorf("plan: Terraform type %s is claimed by both %s and %s", tf, other, typ)
		}
		claim[tf] = typ
		return nil
	}
	for _, k := range kinds {
		if k.Empty() {
			continue
		}
		if k.Type == "" {
			return nil, fmt.Errorf("plan: a kind without a type")
		}
		for tf, build := range k.Standalone {
			if err := own(tf, k.Type); err != nil {
				return nil, err
			}
			ks.standalone[tf] = standaloneKind{k.Type, build}
		}
		for tf, build := range k.Parents {
			if err := own(tf, k.Type); err != nil {
				return nil, err
			}
			ks.parents[tf] = parentKind{k.Type, build}
		}
		for tf, attr := range k.Children {
			if err := own(tf, k.Type); err != nil {
				return nil, err
			}
			ks.children[tf] = childKind{k.Type, attr}
		}
		if len(k.Children) > 0 {
			if k.Synthetic == nil {
				return nil, fmt.Errorf("plan: %s has children but no synthetic parent", k.Type)
			}
			ks.synthetic[k.Type] = k.Synthetic
		}
		ks.types = append(ks.types, k.Type)
	}
	sort.Strings(ks.types)
	ks.types = slices.Compact(ks.types)
	return ks, nil
}

// Types lists the resource types the plan plane produces documents of,
// sorted: a policy for any other type never sees a plan.
func (ks *Kinds) Types() []string { return slices.Clone(ks.types) }

// wanted reports whether a Terraform type is modelled at all.
func (ks *Kinds) wanted(typ string) bool {
	_, p := ks.parents[typ]
	_, c := ks.children[typ]
	_, s := ks.standalone[typ]
	return p || c || s
}

// Joined reports whether resources of typ are joined into a parent's
// document rather than judged as their own.
func (ks *Kinds) Joined(typ string) bool {
	_, ok := ks.children[typ]
	return ok
}
