package plan

import (
	"fmt"
	"sort"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Families are the parents children join into. A family can hold several
// Terraform types (aws_default_security_group is a security group).
const (
	familySG     = "security group"
	familyBucket = "bucket"
	familyRole   = "role"
	familyUser   = "user"
	familyGroup  = "group"
)

// doc is a parent document being assembled.
type doc interface {
	// join folds one child into the document. A child with a prior value
	// (update, no-op, delete) first takes that value out of what the
	// parent's own state reported, so a rule is neither counted twice nor
	// kept after its resource is deleted.
	join(child *instance) error
	resource() resource.Resource
}

type parent struct {
	inst   *instance // nil for a parent made up from a child
	family string
	key    string // the value children name the parent by, "" when unknown
	doc    doc
}

type parentKind struct {
	family string
	build  func(in *instance) (*parent, error)
}

// parentKinds are the Terraform types children join into.
var parentKinds = map[string]parentKind{
	"aws_security_group":         {familySG, newSecurityGroup},
	"aws_default_security_group": {familySG, newSecurityGroup},
	"aws_s3_bucket":              {familyBucket, newBucket},
	"aws_iam_role":               {familyRole, newPrincipal},
	"aws_iam_user":               {familyUser, newPrincipal},
	"aws_iam_group":              {familyGroup, newPrincipal},
}

// childKind says which attribute of a child names its parent.
type childKind struct {
	family string
	attr   string
}

// childKinds are the separate resources joined into a parent.
var childKinds = map[string]childKind{
	"aws_security_group_rule":                            {familySG, "security_group_id"},
	"aws_vpc_security_group_ingress_rule":                {familySG, "security_group_id"},
	"aws_vpc_security_group_egress_rule":                 {familySG, "security_group_id"},
	"aws_s3_bucket_public_access_block":                  {familyBucket, "bucket"},
	"aws_s3_bucket_server_side_encryption_configuration": {familyBucket, "bucket"},
	"aws_s3_bucket_policy":                               {familyBucket, "bucket"},
	"aws_iam_role_policy_attachment":                     {familyRole, "role"},
	"aws_iam_role_policy":                                {familyRole, "role"},
	"aws_iam_user_policy_attachment":                     {familyUser, "user"},
	"aws_iam_user_policy":                                {familyUser, "user"},
	"aws_iam_group_policy_attachment":                    {familyGroup, "group"},
	"aws_iam_group_policy":                               {familyGroup, "group"},
}

// Joined reports whether resources of typ are joined into a parent's
// document rather than judged as their own.
func Joined(typ string) bool {
	_, ok := childKinds[typ]
	return ok
}

// syntheticKinds build the document of a parent that is not in the plan
// (managed elsewhere, or named through a variable): it holds only what the
// children say, everything else unknown.
var syntheticKinds = map[string]func(child *instance, key string) doc{
	familySG:     syntheticSecurityGroup,
	familyBucket: syntheticBucket,
	familyRole:   syntheticPrincipal(resource.TypeIAMRole),
	familyUser:   syntheticPrincipal(resource.TypeIAMUser),
	familyGroup:  syntheticPrincipal(resource.TypeIAMGroup),
}

// join finds the child's parent and folds the child into it: by value when
// the child's key attribute is known, else through the configuration's
// references (on create the key is usually the parent's unknown id).
func (b *builder) join(child *instance) error {
	kind := childKinds[child.typ]
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
	return pa.doc.join(child)
}

// childKey is the known join value: from after, or from before for a
// child being deleted.
func (b *builder) childKey(child *instance, attr string) string {
	if child.deleted {
		k, _ := nonEmpty(child.before, attr)
		return k
	}
	k, _ := nonEmpty(child.after, attr)
	return k
}

// byReference resolves expressions.<attr>.references, such as
// ["aws_s3_bucket.data.id", "aws_s3_bucket.data"], to a parent instance in
// the child's own module instance. With count or for_each on the parent, a
// reference without a key resolves only when the child has the same key
// (the usual count.index / each.key pairing).
func (b *builder) byReference(child *instance, kind childKind) (*parent, error) {
	for _, s := range child.references(kind.attr) {
		r, ok := parseRef(s)
		if !ok {
			continue
		}
		pk, ok := parentKinds[r.typ]
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
func (b *builder) syntheticParent(child *instance, family, key string) *parent {
	if key != "" {
		if pa := b.byKey[family][key]; pa != nil {
			return pa
		}
	}
	build, ok := syntheticKinds[family]
	if !ok {
		panic(fmt.Sprintf("plan: no synthetic parent for family %q", family))
	}
	pa := &parent{family: family, key: key, doc: build(child, key)}
	b.add(pa)
	return pa
}

// Types lists the resource types Resources produces documents of, sorted:
// a policy for any other type never sees a plan.
func Types() []string {
	set := map[string]bool{}
	for typ := range parentKinds {
		set[documentType(typ)] = true
	}
	for typ := range standalone {
		set[documentType(typ)] = true
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// documentType maps a Terraform type to the document type it yields.
func documentType(typ string) string {
	switch typ {
	case "aws_default_security_group":
		return resource.TypeSecurityGroup
	case "aws_rds_cluster_instance":
		return resource.TypeDBInstance
	}
	return typ
}
