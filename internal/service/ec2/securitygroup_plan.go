package ec2

import (
	"fmt"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// sgDoc assembles an aws_security_group document (see internal/resource
// types.go) from the group's inline ingress/egress blocks and the rule
// resources that name it.
type sgDoc struct {
	res     resource.Resource
	groupID string
	props   map[string]any
	// dirs holds the rules of each direction; a direction missing from
	// the map is unknown.
	dirs map[string]*ruleSet
	// fromState is set when the inline lists are what AWS reported
	// (computed, not configured), so they also hold the rules of separate
	// rule resources.
	fromState map[string]bool
}

type ruleSet struct{ rules []map[string]any }

var directions = []string{"ingress", "egress"}

func newSecurityGroup(in *plan.Instance) (plan.Doc, string, error) {
	a := in.After()
	d := &sgDoc{props: map[string]any{}, dirs: map[string]*ruleSet{}, fromState: map[string]bool{}}
	d.groupID, _ = plan.NonEmpty(a, "id")
	name, _ := plan.NonEmpty(a, "name")
	if in.Type() == "aws_default_security_group" {
		name = "default" // the VPC's default group, whatever else is unknown
	}
	d.res = plan.Identity(in, TypeSecurityGroup, name)
	plan.PutString(d.props, "group_id", d.groupID)
	plan.PutString(d.props, "group_name", name)
	if v, ok := plan.NonEmpty(a, "vpc_id"); ok {
		d.props["vpc_id"] = v
	}
	if v, ok := plan.NonEmpty(a, "description"); ok {
		d.props["description"] = v
	}
	for _, dir := range directions {
		blocks, known := plan.List(a, dir)
		switch {
		case known:
			rs := &ruleSet{}
			for i, blk := range blocks {
				m, ok := blk.(map[string]any)
				if !ok {
					return nil, "", fmt.Errorf("%s[%d] is %T, want an object", dir, i, blk)
				}
				rs.rules = append(rs.rules, blockRules(m, d.groupID, "")...)
			}
			d.dirs[dir] = rs
			d.fromState[dir] = !in.Create() && !in.Configures(dir)
		case in.Create() && !in.Configures(dir):
			// A new group starts empty: the provider even removes the
			// all-traffic egress rule AWS adds. aws_default_security_group
			// likewise revokes every rule it is not given.
			d.dirs[dir] = &ruleSet{}
		}
	}
	return d, d.groupID, nil
}

func syntheticSecurityGroup(child *plan.Instance, key string) plan.Doc {
	d := &sgDoc{
		res: plan.Synthetic(child, TypeSecurityGroup, key), groupID: key,
		props: map[string]any{}, dirs: map[string]*ruleSet{}, fromState: map[string]bool{},
	}
	d.res.Name = "" // a group id is not its name
	plan.PutString(d.props, "group_id", key)
	return d
}

func (d *sgDoc) Join(child *plan.Instance) error {
	dir, before, after := childRules(child, d.groupID)
	if dir == "" {
		return nil
	}
	rs := d.dirs[dir]
	if rs == nil {
		// The group's own list is unknown; the rules named here are
		// known all the same.
		rs = &ruleSet{}
		d.dirs[dir] = rs
	}
	if d.fromState[dir] {
		for _, r := range before {
			rs.remove(r)
		}
	}
	rs.rules = append(rs.rules, after...)
	return nil
}

func (d *sgDoc) Resource() resource.Resource {
	r := d.res
	r.Properties = d.props
	for _, dir := range directions {
		if rs := d.dirs[dir]; rs != nil {
			r.Properties[dir] = resource.SortRules(dedupeRules(rs.rules))
		}
	}
	return r
}

// childRules expands a rule resource into the direction and the rules it
// had before and will have after the change.
func childRules(child *plan.Instance, groupID string) (dir string, before, after []map[string]any) {
	switch child.Type() {
	case "aws_vpc_security_group_ingress_rule":
		dir = "ingress"
	case "aws_vpc_security_group_egress_rule":
		dir = "egress"
	case "aws_security_group_rule":
		m := child.After()
		if child.Deleted() {
			m = child.Before()
		}
		dir, _ = plan.Str(m, "type")
		if dir != "ingress" && dir != "egress" {
			return "", nil, nil // unknown direction: nothing known to add
		}
	}
	expand := func(m map[string]any) []map[string]any {
		if child.Type() == "aws_security_group_rule" {
			id, _ := plan.NonEmpty(m, "security_group_rule_id")
			return blockRules(m, groupID, id)
		}
		return []map[string]any{vpcRule(m)}
	}
	if child.Before() != nil {
		before = expand(child.Before())
	}
	if !child.Deleted() {
		after = expand(child.After())
	}
	return dir, before, after
}

// blockRules expands an inline ingress/egress block or an
// aws_security_group_rule into one rule per peer, as EC2's
// DescribeSecurityGroupRules reports them. ruleID is kept only when the
// block has a single peer, where it names exactly that EC2 rule.
func blockRules(b map[string]any, groupID, ruleID string) []map[string]any {
	base := planPorts(b)
	if d, ok := plan.NonEmpty(b, "description"); ok {
		base["description"] = d
	}
	var out []map[string]any
	add := func(key, peer string) {
		r := plan.Clone(base)
		if peer != "" {
			r[key] = peer
		}
		out = append(out, r)
	}
	for _, c := range plan.Strings(b, "cidr_blocks") {
		add("cidr_ipv4", c)
	}
	for _, c := range plan.Strings(b, "ipv6_cidr_blocks") {
		add("cidr_ipv6", c)
	}
	for _, p := range plan.Strings(b, "prefix_list_ids") {
		add("prefix_list_id", p)
	}
	for _, g := range plan.Strings(b, "security_groups") {
		add("referenced_group_id", g)
	}
	if g, ok := plan.NonEmpty(b, "source_security_group_id"); ok {
		add("referenced_group_id", g)
	}
	if self, ok := plan.Bool(b, "self"); ok && self {
		// The group itself; its id is unknown on create, and a rule
		// whose peer is unknown is still a rule.
		add("referenced_group_id", groupID)
	}
	if len(out) == 0 {
		// EC2 rules always have a peer, so none known means the peer is
		// unknown at plan time (a group created in the same plan).
		out = append(out, base)
	}
	if len(out) == 1 && ruleID != "" {
		out[0]["rule_id"] = ruleID
	}
	return out
}

// vpcRule reads aws_vpc_security_group_{ingress,egress}_rule: already one
// peer per resource, as EC2 keeps it.
func vpcRule(m map[string]any) map[string]any {
	r := planPorts(m)
	for _, k := range []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} {
		plan.PutKnown(r, k, m)
	}
	if g, ok := plan.NonEmpty(m, "referenced_security_group_id"); ok {
		r["referenced_group_id"] = g
	}
	if id, ok := plan.NonEmpty(m, "security_group_rule_id"); ok {
		r["rule_id"] = id
	}
	if d, ok := plan.NonEmpty(m, "description"); ok {
		r["description"] = d
	}
	return r
}

// planPorts mirrors portsAndProtocol: protocol -1 spans every
// port whatever Terraform wrote (0/0, or null on the vpc rule resources).
func planPorts(m map[string]any) map[string]any {
	r := map[string]any{}
	proto, ok := plan.Str(m, "protocol")
	if !ok {
		if proto, ok = plan.Str(m, "ip_protocol"); !ok {
			return r
		}
	}
	p := resource.NormalizeProtocol(proto)
	r["protocol"] = p
	if p == resource.ProtocolAll {
		r["from_port"], r["to_port"] = resource.AllPortsFrom, resource.AllPortsTo
		return r
	}
	if v, ok := plan.Int(m, "from_port"); ok {
		r["from_port"] = v
	}
	if v, ok := plan.Int(m, "to_port"); ok {
		r["to_port"] = v
	}
	return r
}

// remove takes out one rule equal to r, ignoring rule ids (the group's
// inline view has none).
func (rs *ruleSet) remove(r map[string]any) {
	for i, x := range rs.rules {
		if sameRule(x, r) {
			rs.rules = append(rs.rules[:i], rs.rules[i+1:]...)
			return
		}
	}
}

// dedupeRules drops rules that repeat another one, keeping the copy that
// carries a rule id: a no-op group's state lists the rules of its rule
// resources too.
func dedupeRules(rules []map[string]any) []map[string]any {
	var out []map[string]any
next:
	for _, r := range rules {
		for i, x := range out {
			if sameRule(x, r) {
				if _, ok := x["rule_id"]; !ok {
					out[i] = r
				}
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

func sameRule(a, b map[string]any) bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		if k == "rule_id" {
			continue
		}
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
