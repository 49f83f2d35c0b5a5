package plan

import (
	"fmt"

	"github.com/rectifyhq/rectify/internal/resource"
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

func newSecurityGroup(in *instance) (*parent, error) {
	a := in.after
	d := &sgDoc{props: map[string]any{}, dirs: map[string]*ruleSet{}, fromState: map[string]bool{}}
	d.groupID, _ = nonEmpty(a, "id")
	name, _ := nonEmpty(a, "name")
	if in.typ == "aws_default_security_group" {
		name = "default" // the VPC's default group, whatever else is unknown
	}
	d.res = identity(in, resource.TypeSecurityGroup, name)
	putString(d.props, "group_id", d.groupID)
	putString(d.props, "group_name", name)
	if v, ok := nonEmpty(a, "vpc_id"); ok {
		d.props["vpc_id"] = v
	}
	if v, ok := nonEmpty(a, "description"); ok {
		d.props["description"] = v
	}
	for _, dir := range directions {
		blocks, known := list(a, dir)
		switch {
		case known:
			rs := &ruleSet{}
			for i, blk := range blocks {
				m, ok := blk.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s[%d] is %T, want an object", dir, i, blk)
				}
				rs.rules = append(rs.rules, blockRules(m, d.groupID, "")...)
			}
			d.dirs[dir] = rs
			d.fromState[dir] = !in.create && !in.configures(dir)
		case in.create && !in.configures(dir):
			// A new group starts empty: the provider even removes the
			// all-traffic egress rule AWS adds. aws_default_security_group
			// likewise revokes every rule it is not given.
			d.dirs[dir] = &ruleSet{}
		}
	}
	return &parent{inst: in, family: familySG, key: d.groupID, doc: d}, nil
}

func syntheticSecurityGroup(child *instance, key string) doc {
	d := &sgDoc{
		res: synthetic(child, resource.TypeSecurityGroup, key), groupID: key,
		props: map[string]any{}, dirs: map[string]*ruleSet{}, fromState: map[string]bool{},
	}
	d.res.Name = "" // a group id is not its name
	putString(d.props, "group_id", key)
	return d
}

func (d *sgDoc) join(child *instance) error {
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

func (d *sgDoc) resource() resource.Resource {
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
func childRules(child *instance, groupID string) (dir string, before, after []map[string]any) {
	switch child.typ {
	case "aws_vpc_security_group_ingress_rule":
		dir = "ingress"
	case "aws_vpc_security_group_egress_rule":
		dir = "egress"
	case "aws_security_group_rule":
		m := child.after
		if child.deleted {
			m = child.before
		}
		dir, _ = str(m, "type")
		if dir != "ingress" && dir != "egress" {
			return "", nil, nil // unknown direction: nothing known to add
		}
	}
	expand := func(m map[string]any) []map[string]any {
		if child.typ == "aws_security_group_rule" {
			id, _ := nonEmpty(m, "security_group_rule_id")
			return blockRules(m, groupID, id)
		}
		return []map[string]any{vpcRule(m)}
	}
	if child.before != nil {
		before = expand(child.before)
	}
	if !child.deleted {
		after = expand(child.after)
	}
	return dir, before, after
}

// blockRules expands an inline ingress/egress block or an
// aws_security_group_rule into one rule per peer, as EC2's
// DescribeSecurityGroupRules reports them. ruleID is kept only when the
// block has a single peer, where it names exactly that EC2 rule.
func blockRules(b map[string]any, groupID, ruleID string) []map[string]any {
	base := portsAndProtocol(b)
	if d, ok := nonEmpty(b, "description"); ok {
		base["description"] = d
	}
	var out []map[string]any
	add := func(key, peer string) {
		r := clone(base)
		if peer != "" {
			r[key] = peer
		}
		out = append(out, r)
	}
	for _, c := range stringList(b, "cidr_blocks") {
		add("cidr_ipv4", c)
	}
	for _, c := range stringList(b, "ipv6_cidr_blocks") {
		add("cidr_ipv6", c)
	}
	for _, p := range stringList(b, "prefix_list_ids") {
		add("prefix_list_id", p)
	}
	for _, g := range stringList(b, "security_groups") {
		add("referenced_group_id", g)
	}
	if g, ok := nonEmpty(b, "source_security_group_id"); ok {
		add("referenced_group_id", g)
	}
	if self, ok := boolean(b, "self"); ok && self {
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
	r := portsAndProtocol(m)
	for _, k := range []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} {
		putKnown(r, k, m)
	}
	if g, ok := nonEmpty(m, "referenced_security_group_id"); ok {
		r["referenced_group_id"] = g
	}
	if id, ok := nonEmpty(m, "security_group_rule_id"); ok {
		r["rule_id"] = id
	}
	if d, ok := nonEmpty(m, "description"); ok {
		r["description"] = d
	}
	return r
}

// portsAndProtocol mirrors live.portsAndProtocol: protocol -1 spans every
// port whatever Terraform wrote (0/0, or null on the vpc rule resources).
func portsAndProtocol(m map[string]any) map[string]any {
	r := map[string]any{}
	proto, ok := str(m, "protocol")
	if !ok {
		if proto, ok = str(m, "ip_protocol"); !ok {
			return r
		}
	}
	p := resource.NormalizeProtocol(proto)
	r["protocol"] = p
	if p == resource.ProtocolAll {
		r["from_port"], r["to_port"] = resource.AllPortsFrom, resource.AllPortsTo
		return r
	}
	if v, ok := integer(m, "from_port"); ok {
		r["from_port"] = v
	}
	if v, ok := integer(m, "to_port"); ok {
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

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func putString(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func putKnown(dst map[string]any, key string, src map[string]any) {
	if v, ok := nonEmpty(src, key); ok {
		dst[key] = v
	}
}
