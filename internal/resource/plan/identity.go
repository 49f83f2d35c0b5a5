package plan

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

// identity fills the fields every document has. ID and ARN are the
// provider's when known (they are not on a create); Account comes from the
// ARN, Region from the provider block.
func Identity(in *Instance, typ, name string) resource.Resource {
	addr := in.addr
	r := resource.Resource{
		Type:    typ,
		Address: &addr,
		Name:    name,
		Region:  in.region,
		Tags:    tags(in.after),
		Plane:   resource.PlanePlan,
	}
	r.ID, _ = NonEmpty(in.after, "id")
	r.ARN, _ = NonEmpty(in.after, "arn")
	r.Account = arnAccount(r.ARN)
	return r
}

// synthetic is the identity of a parent the plan does not hold, made from
// the child that names it: the child's address, so findings point at the
// code that carries the setting.
func Synthetic(child *Instance, typ, id string) resource.Resource {
	addr := child.addr
	return resource.Resource{
		Type:    typ,
		Address: &addr,
		ID:      id,
		Name:    id,
		Region:  child.region,
		Tags:    map[string]string{},
		Plane:   resource.PlanePlan,
	}
}

// tags is tags_all (which includes the provider's default_tags) when it is
// known, else the resource's own tags: the live plane sees every tag.
func tags(after map[string]any) map[string]string {
	if t, ok := StringMap(after, "tags_all"); ok {
		return t
	}
	if t, ok := StringMap(after, "tags"); ok {
		return t
	}
	return map[string]string{}
}

// arnAccount is the account field of an ARN, "" if there is none.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
