package plan

import (
	"fmt"
)

// parent is a document children join into: the planned resource's own,
// or a synthetic one made up from a child whose parent is not in the plan.
type parent struct {
	inst   *Instance // nil for a parent made up from a child
	family string    // the document type
	key    string    // the value children name the parent by, "" when unknown
	doc    Doc
}

// join finds the child's parent and folds the child into it: by value when
// the child's key attribute is known, else through the configuration's
// references (on create the key is usually the parent's unknown id).
func (b *builder) join(child *Instance) error {
	kind := b.kinds.children[child.typ]
	key := b.childKey(child, kind.attr)
	pa := b.byKey[kind.family][key]
	if pa == nil && key == "" {
		var err error
		if pa, err = b.byReference(child, kind); err != nil {
			return err
		}
	}
	if pa == nil {
		if child.deleted {
			return nil // going away from a parent we do not judge
		}
		pa = b.syntheticParent(child, kind.family, key)
	}
	return pa.doc.Join(child)
}

// childKey is the known join value: from after, or from before for a
// child being deleted.
func (b *builder) childKey(child *Instance, attr string) string {
	if child.deleted {
		k, _ := NonEmpty(child.before, attr)
		return k
	}
	k, _ := NonEmpty(child.after, attr)
	return k
}

// byReference resolves expressions.<attr>.references, such as
// ["aws_s3_bucket.data.id", "aws_s3_bucket.data"], to a parent instance in
// the child's own module instance. With count or for_each on the parent, a
// reference without a key resolves only when the child has the same key
// (the usual count.index / each.key pairing).
func (b *builder) byReference(child *Instance, kind childKind) (*parent, error) {
	for _, s := range child.references(kind.attr) {
		r, ok := parseRef(s)
		if !ok {
			continue
		}
		pk, ok := b.kinds.parents[r.typ]
		if !ok || pk.family != kind.family {
			continue
		}
		cands := b.byConfig[child.module+"|"+r.typ+"."+r.name]
		if len(cands) == 0 {
			continue
		}
		want := r.key
		if want == "" && len(cands) > 1 {
			want = child.key
		}
		for _, c := range cands {
			if len(cands) == 1 && want == "" || c.inst.key == want {
				return c, nil
			}
		}
	}
	return nil, nil
}

// syntheticParent returns the made-up parent for a child whose parent is
// not in the plan; children naming the same known key share one.
func (b *builder) syntheticParent(child *Instance, family, key string) *parent {
	if key != "" {
		if pa := b.byKey[family][key]; pa != nil {
			return pa
		}
	}
	build, ok := b.kinds.synthetic[family]
	if !ok {
		panic(fmt.Sprintf("plan: no synthetic parent for family %q", family))
	}
	pa := &parent{family: family, key: key, doc: build(child, key)}
	b.add(pa)
	return pa
}
