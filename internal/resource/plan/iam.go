package plan

import (
	"fmt"
	"sort"

	"github.com/rectifyhq/rectify/internal/resource"
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
}

var principalTypes = map[string]string{
	"aws_iam_role":  resource.TypeIAMRole,
	"aws_iam_user":  resource.TypeIAMUser,
	"aws_iam_group": resource.TypeIAMGroup,
}

func newPrincipal(in *instance) (*parent, error) {
	a := in.after
	name, _ := nonEmpty(a, "name")
	d := &principalDoc{
		res:   identity(in, principalTypes[in.typ], name),
		props: map[string]any{}, attached: map[string]bool{}, inline: map[string]map[string]any{},
	}
	if d.res.ID == "" {
		d.res.ID = name // IAM names are the ids Terraform and the API use
	}
	putString(d.props, "name", name)
	if p, ok := nonEmpty(a, "path"); ok {
		d.props["path"] = p
	}
	// aws_iam_role reports what AWS has in managed_policy_arns and
	// inline_policy (computed unless configured). A new role has neither
	// until its attachments are created, which join below.
	for _, arn := range stringList(a, "managed_policy_arns") {
		d.attached[arn] = true
	}
	blocks, _ := list(a, "inline_policy")
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		n, ok := nonEmpty(m, "name")
		if !ok {
			continue // the provider's placeholder for "no inline policies"
		}
		doc, err := policyText(m)
		if err != nil {
			return nil, fmt.Errorf("inline_policy %s: %w", n, err)
		}
		d.inline[n] = doc
	}
	return &parent{inst: in, family: familyFor(in.typ), key: name, doc: d}, nil
}

func familyFor(typ string) string {
	return map[string]string{"aws_iam_role": familyRole, "aws_iam_user": familyUser, "aws_iam_group": familyGroup}[typ]
}

func syntheticPrincipal(typ string) func(child *instance, key string) doc {
	return func(child *instance, key string) doc {
		d := &principalDoc{
			res:   synthetic(child, typ, key),
			props: map[string]any{}, attached: map[string]bool{}, inline: map[string]map[string]any{},
		}
		putString(d.props, "name", key)
		return d
	}
}

// policyText normalizes the "policy" attribute; unknown text is a nil
// document.
func policyText(m map[string]any) (map[string]any, error) {
	text, ok := str(m, "policy")
	if !ok {
		return nil, nil
	}
	return resource.NormalizePolicyDocument(text)
}

func (d *principalDoc) join(child *instance) error {
	switch child.typ {
	case "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment":
		if arn, ok := nonEmpty(child.before, "policy_arn"); ok {
			delete(d.attached, arn)
		}
		if arn, ok := nonEmpty(child.after, "policy_arn"); ok && !child.deleted {
			d.attached[arn] = true
		}
	default: // aws_iam_{role,user,group}_policy
		if n, ok := nonEmpty(child.before, "name"); ok {
			delete(d.inline, n)
		}
		if child.deleted {
			return nil
		}
		n, ok := nonEmpty(child.after, "name")
		if !ok {
			return nil // name_prefix: the policy is unknown, and so is its name
		}
		doc, err := policyText(child.after)
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		d.inline[n] = doc
	}
	return nil
}

func (d *principalDoc) resource() resource.Resource {
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
	return r
}
