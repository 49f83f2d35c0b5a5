package iam

import (
	"fmt"
	"sort"
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// principalDoc assembles an aws_iam_user, aws_iam_role or aws_iam_group
// document: the managed policies attached to it and its inline policies.
type principalDoc struct {
	res      resource.Resource
	props    map[string]any
	attached map[string]bool
	// inline maps a policy name to its normalized document; a nil
	// document is a policy whose text is unknown at plan time.
	inline map[string]map[string]any
	// keys are a user's aws_iam_access_key resources, by address.
	keys map[string]map[string]any
}

func newPrincipal(in *plan.Instance) (plan.Doc, string, error) {
	a := in.After()
	name, _ := plan.NonEmpty(a, "name")
	d := &principalDoc{
		res:   plan.Identity(in, in.Type(), name),
		props: map[string]any{}, attached: map[string]bool{}, inline: map[string]map[string]any{},
	}
	if d.res.ID == "" {
		d.res.ID = name // IAM names are the ids Terraform and the API use
	}
	plan.PutString(d.props, "name", name)
	if p, ok := plan.NonEmpty(a, "path"); ok {
		d.props["path"] = p
	}
	// aws_iam_role reports what AWS has in managed_policy_arns and
	// inline_policy (computed unless configured). A new role has neither
	// until its attachments are created, which join below.
	for _, arn := range plan.Strings(a, "managed_policy_arns") {
		d.attached[arn] = true
	}
	blocks, _ := plan.List(a, "inline_policy")
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		n, ok := plan.NonEmpty(m, "name")
		if !ok {
			continue // the provider's placeholder for "no inline policies"
		}
		doc, err := policyText(m)
		if err != nil {
			return nil, "", fmt.Errorf("inline_policy %s: %w", n, err)
		}
		d.inline[n] = doc
	}
	return d, name, nil
}

func syntheticPrincipal(typ string) func(child *plan.Instance, key string) plan.Doc {
	return func(child *plan.Instance, key string) plan.Doc {
		d := &principalDoc{
			res:   plan.Synthetic(child, typ, key),
			props: map[string]any{}, attached: map[string]bool{}, inline: map[string]map[string]any{},
		}
		plan.PutString(d.props, "name", key)
		return d
	}
}

// policyText normalizes the "policy" attribute; unknown text is a nil
// document.
func policyText(m map[string]any) (map[string]any, error) {
	text, ok := plan.Str(m, "policy")
	if !ok {
		return nil, nil
	}
	return resource.NormalizePolicyDocument(text)
}

func (d *principalDoc) Join(child *plan.Instance) error {
	switch child.Type() {
	case "aws_iam_access_key":
		if child.Deleted() {
			return nil
		}
		a := child.After()
		// Status defaults to Active; create_date and id are known for a
		// key that exists (a plan against state) and unknown for a new one.
		k := map[string]any{"status": "Active"}
		if st, ok := plan.NonEmpty(a, "status"); ok {
			k["status"] = st
		}
		for _, attr := range []string{"id", "create_date"} {
			if v, ok := plan.NonEmpty(a, attr); ok {
				k[attr] = v
			}
		}
		// The age at the time of the plan, as the live plane gives it at
		// the time of its read.
		if created, ok := k["create_date"].(string); ok {
			t, err := time.Parse(time.RFC3339, created)
			if at, known := child.PlannedAt(); err == nil && known {
				k["age_days"] = AgeDays(t, at)
			}
		}
		if d.keys == nil {
			d.keys = map[string]map[string]any{}
		}
		d.keys[child.Addr()] = k
	case "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment":
		if arn, ok := plan.NonEmpty(child.Before(), "policy_arn"); ok {
			delete(d.attached, arn)
		}
		if arn, ok := plan.NonEmpty(child.After(), "policy_arn"); ok && !child.Deleted() {
			d.attached[arn] = true
		}
	default: // aws_iam_{role,user,group}_policy
		if n, ok := plan.NonEmpty(child.Before(), "name"); ok {
			delete(d.inline, n)
		}
		if child.Deleted() {
			return nil
		}
		n, ok := plan.NonEmpty(child.After(), "name")
		if !ok {
			return nil // name_prefix: the policy is unknown, and so is its name
		}
		doc, err := policyText(child.After())
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		d.inline[n] = doc
	}
	return nil
}

func (d *principalDoc) Resource() resource.Resource {
	r := d.res
	r.Properties = d.props
	arns := make([]string, 0, len(d.attached))
	for a := range d.attached {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	attached := make([]any, len(arns))
	for i, a := range arns {
		attached[i] = a
	}
	r.Properties["attached_policy_arns"] = attached

	names := make([]string, 0, len(d.inline))
	for n := range d.inline {
		names = append(names, n)
	}
	sort.Strings(names)
	inline := make([]any, 0, len(names))
	for _, n := range names {
		p := map[string]any{"name": n}
		if doc := d.inline[n]; doc != nil {
			p["document"] = doc
		}
		inline = append(inline, p)
	}
	r.Properties["inline_policies"] = inline
	if len(d.keys) > 0 {
		addrs := make([]string, 0, len(d.keys))
		for a := range d.keys {
			addrs = append(addrs, a)
		}
		sort.Strings(addrs)
		keys := make([]any, 0, len(addrs))
		for _, a := range addrs {
			keys = append(keys, d.keys[a])
		}
		r.Properties["access_keys"] = keys
	}
	return r
}
