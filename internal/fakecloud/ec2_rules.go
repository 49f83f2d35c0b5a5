package fakecloud

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// sgRule is one security group rule: one direction, one protocol and port
// range, one peer. AWS stores rules this way since 2021 and gives each an
// sgr- id; the older IpPermission view groups them (see xmlPermissions).
type sgRule struct {
	id      string
	groupID string
	owner   string
	ruleSpec
	// peerUserID owns a referenced group; not part of the rule's identity.
	peerUserID  string
	description string
	tags        ec2Tags
}

// ruleSpec is what makes a rule unique in its group: AWS refuses a second
// rule with the same spec (InvalidPermission.Duplicate) whatever its
// description, and revoking by IpPermissions must match a spec exactly.
type ruleSpec struct {
	egress bool
	portRange
	peer rulePeer
}

// portRange is a normalized protocol and port range. Protocols without
// ports (all traffic, or any protocol number but TCP, UDP and ICMP) have
// from and to -1 whatever the request said, which is what AWS stores.
type portRange struct {
	protocol string
	from, to int32
}

var allTraffic = portRange{protocol: "-1", from: -1, to: -1}

type peerKind int

const (
	peerCIDRv4 peerKind = iota + 1
	peerCIDRv6
	peerGroup
	peerPrefixList
)

type rulePeer struct {
	kind  peerKind
	value string // CIDR, group id or prefix list id
}

const ruleIDPrefix = "sgr-"

// hasPorts reports whether AWS keeps the port range of a protocol.
func (p portRange) hasPorts() bool {
	switch p.protocol {
	case "tcp", "udp", "icmp", "icmpv6":
		return true
	}
	return false
}

// protocolNames maps the protocol numbers AWS renames to its names.
var protocolNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

// normalizePorts validates a protocol and its ports as AWS does for TCP
// and UDP ranges and ICMP type/code, and normalizes them.
func normalizePorts(protocol string, from, to *int32) (portRange, *APIError) {
	proto := strings.ToLower(strings.TrimSpace(protocol))
	if name, ok := protocolNames[proto]; ok {
		proto = name
	}
	switch proto {
	case "-1":
		return allTraffic, nil
	case "tcp", "udp":
		if from == nil || to == nil {
			return portRange{}, errorf("InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange")
		}
		if *from < 0 || *to > 65535 || *from > *to {
			return portRange{}, errorf("InvalidParameterValue", "Invalid value '%d-%d' for portRange. Ports must be 0-65535 with fromPort <= toPort.", *from, *to)
		}
		return portRange{proto, *from, *to}, nil
	case "icmp", "icmpv6":
		if from == nil || to == nil {
			return portRange{}, errorf("InvalidParameterValue", "Invalid value 'Must specify both ICMP type and code (-1 for all).' for icmpTypeCode")
		}
		if *from < -1 || *from > 255 || *to < -1 || *to > 255 {
			return portRange{}, errorf("InvalidParameterValue", "Invalid value '%d/%d' for icmpTypeCode. Type and code must be -1 to 255.", *from, *to)
		}
		return portRange{proto, *from, *to}, nil
	}
	if n, err := strconv.Atoi(proto); err == nil && n >= 0 && n <= 255 {
		return portRange{protocol: strconv.Itoa(n), from: -1, to: -1}, nil
	}
	return portRange{}, errorf("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", protocol)
}

// cidrPeer validates an IPv4 or IPv6 CIDR. It keeps the CIDR as given
// (in canonical text form); AWS does not mask host bits either.
func cidrPeer(cidr string, v6 bool) (rulePeer, *APIError) {
	pfx, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil || pfx.Addr().Is4() == v6 || pfx.Addr().Is4In6() {
		return rulePeer{}, errorf("InvalidParameterValue", "CIDR block %s is malformed", cidr)
	}
	if v6 {
		return rulePeer{kind: peerCIDRv6, value: pfx.String()}, nil
	}
	return rulePeer{kind: peerCIDRv4, value: pfx.String()}, nil
}

// addRule adds a rule to a group and the rule index. The caller holds s.mu.
func (st *ec2State) addRule(g *securityGroup, spec ruleSpec, description, peerUserID string, tags ec2Tags) *sgRule {
	if tags == nil {
		tags = ec2Tags{}
	}
	if spec.peer.kind == peerGroup && peerUserID == "" {
		peerUserID = st.account
	}
	r := &sgRule{
		id: newID(ruleIDPrefix, 17), groupID: g.id, owner: g.owner,
		ruleSpec: spec, peerUserID: peerUserID, description: description, tags: tags,
	}
	g.rules = append(g.rules, r)
	st.rules[r.id] = r
	return r
}

// removeRules deletes rules from their group and the index.
func (st *ec2State) removeRules(g *securityGroup, gone []*sgRule) {
	g.rules = slices.DeleteFunc(g.rules, func(r *sgRule) bool { return slices.Contains(gone, r) })
	for _, r := range gone {
		delete(st.rules, r.id)
	}
}

// findRule returns the group's rule with exactly this spec, if any.
func (g *securityGroup) findRule(spec ruleSpec) *sgRule {
	for _, r := range g.rules {
		if r.ruleSpec == spec {
			return r
		}
	}
	return nil
}

// ipPermissionInput is one IpPermissions.N as the caller sent it, kept
// raw so CloudTrail can echo exactly what was asked.
type ipPermissionInput struct {
	protocol      string
	fromPort      *int32
	toPort        *int32
	ipRanges      []peerInput
	ipv6Ranges    []peerInput
	groups        []groupPairInput
	prefixListIDs []peerInput
}

type peerInput struct{ value, description string }

type groupPairInput struct{ groupID, groupName, userID, description string }

// ruleChangeInput is the input of Authorize/Revoke Ingress/Egress.
type ruleChangeInput struct {
	groupID, groupName string
	permissions        []ipPermissionInput
	// legacy holds the top-level CidrIp/IpProtocol/FromPort/ToPort form
	// that older clients use for ingress; nil when not used.
	legacy   *legacyRuleInput
	ruleIDs  []string
	tagSpecs []ec2TagSpecInput
}

type legacyRuleInput struct {
	cidrIP, protocol string
	fromPort, toPort *int32
}

// parseRuleChange reads a rule change. It returns what it could read even
// on error, so that CloudTrail logs the failed call with its parameters.
func parseRuleChange(p ec2Params) (ruleChangeInput, *APIError) {
	in := ruleChangeInput{groupID: p.get("GroupId"), groupName: p.get("GroupName"), ruleIDs: p.strings("SecurityGroupRuleId")}
	var firstErr *APIError
	keep := func(err *APIError) {
		if firstErr == nil {
			firstErr = err
		}
	}
	for _, n := range p.indices("IpPermissions") {
		perm, err := parseIPPermission(p, "IpPermissions."+strconv.Itoa(n))
		if err != nil {
			keep(err)
		}
		in.permissions = append(in.permissions, perm)
	}
	if p.has("CidrIp") || p.has("IpProtocol") || p.has("FromPort") || p.has("ToPort") {
		l := &legacyRuleInput{cidrIP: p.get("CidrIp"), protocol: p.get("IpProtocol")}
		var err *APIError
		if l.fromPort, err = p.int32("FromPort"); err != nil {
			keep(err)
		}
		if l.toPort, err = p.int32("ToPort"); err != nil {
			keep(err)
		}
		in.legacy = l
	}
	if p.has("SourceSecurityGroupName") || p.has("SourceSecurityGroupOwnerId") {
		keep(errorf("InvalidParameterValue", "fakecloud does not emulate SourceSecurityGroupName/SourceSecurityGroupOwnerId; reference the group in IpPermissions.N.Groups instead"))
	}
	in.tagSpecs = p.tagSpecifications()
	return in, firstErr
}

func parseIPPermission(p ec2Params, prefix string) (ipPermissionInput, *APIError) {
	perm := ipPermissionInput{protocol: p.get(prefix + ".IpProtocol")}
	var firstErr *APIError
	var err *APIError
	if perm.fromPort, err = p.int32(prefix + ".FromPort"); err != nil {
		firstErr = err
	}
	if perm.toPort, err = p.int32(prefix + ".ToPort"); err != nil && firstErr == nil {
		firstErr = err
	}
	peers := func(list, field string) []peerInput {
		var out []peerInput
		for _, n := range p.indices(prefix + "." + list) {
			item := prefix + "." + list + "." + strconv.Itoa(n)
			out = append(out, peerInput{value: p.get(item + "." + field), description: p.get(item + ".Description")})
		}
		return out
	}
	perm.ipRanges = peers("IpRanges", "CidrIp")
	perm.ipv6Ranges = peers("Ipv6Ranges", "CidrIpv6")
	perm.prefixListIDs = peers("PrefixListIds", "PrefixListId")
	// The SDK serializes UserIdGroupPairs as "Groups" (the wire name);
	// "UserIdGroupPairs" is accepted too for hand-written requests.
	for _, list := range []string{"Groups", "UserIdGroupPairs"} {
		for _, n := range p.indices(prefix + "." + list) {
			item := prefix + "." + list + "." + strconv.Itoa(n)
			perm.groups = append(perm.groups, groupPairInput{
				groupID: p.get(item + ".GroupId"), groupName: p.get(item + ".GroupName"),
				userID: p.get(item + ".UserId"), description: p.get(item + ".Description"),
			})
		}
	}
	return perm, firstErr
}

// plannedRule is a validated rule a request asks for.
type plannedRule struct {
	spec        ruleSpec
	description string
	peerUserID  string
}

// plan validates the permissions of a rule change against the state and
// expands them into one rule per peer. The caller holds s.mu.
func (st *ec2State) plan(g *securityGroup, in ruleChangeInput, egress bool) ([]plannedRule, *APIError) {
	perms := in.permissions
	if in.legacy != nil {
		switch {
		case egress:
			return nil, errorf("InvalidParameterValue", "CidrIp, IpProtocol, FromPort and ToPort are not supported for egress rules; use IpPermissions")
		case len(perms) > 0:
			return nil, errorf("InvalidParameterCombination", "The parameter ipPermissions cannot be used with the parameters cidrIp, ipProtocol, fromPort and toPort")
		case in.legacy.cidrIP == "":
			return nil, errorf("MissingParameter", "The request must contain the parameter cidrIp")
		case in.legacy.protocol == "":
			return nil, errorf("MissingParameter", "The request must contain the parameter ipProtocol")
		}
		perms = []ipPermissionInput{{
			protocol: in.legacy.protocol, fromPort: in.legacy.fromPort, toPort: in.legacy.toPort,
			ipRanges: []peerInput{{value: in.legacy.cidrIP}},
		}}
	}
	var out []plannedRule
	for i, perm := range perms {
		if perm.protocol == "" {
			return nil, errorf("MissingParameter", "The request must contain the parameter IpPermissions.%d.IpProtocol", i+1)
		}
		ports, err := normalizePorts(perm.protocol, perm.fromPort, perm.toPort)
		if err != nil {
			return nil, err
		}
		n := len(out)
		add := func(peer rulePeer, description, userID string) {
			out = append(out, plannedRule{spec: ruleSpec{egress: egress, portRange: ports, peer: peer}, description: description, peerUserID: userID})
		}
		for _, r := range perm.ipRanges {
			peer, err := cidrPeer(r.value, false)
			if err != nil {
				return nil, err
			}
			add(peer, r.description, "")
		}
		for _, r := range perm.ipv6Ranges {
			peer, err := cidrPeer(r.value, true)
			if err != nil {
				return nil, err
			}
			add(peer, r.description, "")
		}
		for _, pair := range perm.groups {
			peer, userID, err := st.groupPeer(g, pair)
			if err != nil {
				return nil, err
			}
			add(peer, pair.description, userID)
		}
		for _, pl := range perm.prefixListIDs {
			if !strings.HasPrefix(pl.value, "pl-") {
				return nil, errorf("InvalidPrefixListId.Malformed", "The prefix list ID '%s' is malformed", pl.value)
			}
			add(rulePeer{kind: peerPrefixList, value: pl.value}, pl.description, "")
		}
		if len(out) == n {
			return nil, errorf("MissingParameter", "IpPermissions.%d names no peer: give IpRanges, Ipv6Ranges, Groups or PrefixListIds", i+1)
		}
	}
	return out, nil
}

// groupPeer resolves a referenced group. Groups of this account must
// exist; a group of another account is taken on trust, as the fake cloud
// cannot see into it.
func (st *ec2State) groupPeer(target *securityGroup, pair groupPairInput) (rulePeer, string, *APIError) {
	userID := pair.userID
	if userID == "" {
		userID = st.account
	}
	switch {
	case pair.groupID != "":
		if err := checkGroupID(pair.groupID); err != nil {
			return rulePeer{}, "", err
		}
		if userID == st.account {
			if _, ok := st.groups[pair.groupID]; !ok {
				return rulePeer{}, "", groupNotFound(pair.groupID)
			}
		}
		return rulePeer{kind: peerGroup, value: pair.groupID}, userID, nil
	case pair.groupName != "":
		ref := st.groupByName(pair.groupName, target.vpcID)
		if ref == nil {
			return rulePeer{}, "", errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", pair.groupName, target.vpcID)
		}
		return rulePeer{kind: peerGroup, value: ref.id}, userID, nil
	}
	return rulePeer{}, "", errorf("MissingParameter", "A referenced security group needs GroupId or GroupName")
}

func (s *ec2Service) authorizeIngress(c *call, p ec2Params) *APIError {
	return s.authorize(c, p, false)
}

func (s *ec2Service) authorizeEgress(c *call, p ec2Params) *APIError {
	return s.authorize(c, p, true)
}

func (s *ec2Service) authorize(c *call, p ec2Params, egress bool) *APIError {
	in, perr := parseRuleChange(p)
	c.Record(in.trail())
	if perr != nil {
		return perr
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if len(in.ruleIDs) > 0 {
		return errorf("InvalidParameterValue", "SecurityGroupRuleId is not a parameter of Authorize; it names rules to revoke")
	}
	if egress && in.groupName != "" {
		return errorf("InvalidParameterValue", "Egress rules need GroupId; GroupName is for the default VPC's ingress rules only")
	}
	tags, err := ec2TagsForResource(in.tagSpecs, "security-group-rule")
	if err != nil {
		return err
	}
	if len(in.permissions) == 0 && in.legacy == nil {
		return errorf("MissingParameter", "The request must contain the parameter ipPermissions")
	}

	s.mu.Lock()
	st := s.state(c.account(), c.region)
	added, err := st.authorize(in, egress, tags)
	var rules []xmlSecurityGroupRule
	var trail []any
	for _, r := range added {
		rules = append(rules, r.xml(c.region, len(tags) > 0))
		trail = append(trail, r.trail(c.region))
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}

	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true, "securityGroupRuleSet": ec2TrailItems(trail)})
	ec2Respond(c, xmlAuthorizeResponse{
		RequestID: c.requestID, Return: true, Rules: ec2XMLList[xmlSecurityGroupRule]{Items: rules},
	})
	return nil
}

// authorize adds every rule of a request or, if any is invalid or already
// exists, none. The caller holds s.mu.
func (st *ec2State) authorize(in ruleChangeInput, egress bool, tags ec2Tags) ([]*sgRule, *APIError) {
	g, err := st.resolveGroup(in.groupID, in.groupName)
	if err != nil {
		return nil, err
	}
	planned, err := st.plan(g, in, egress)
	if err != nil {
		return nil, err
	}
	for i, pr := range planned {
		dup := g.findRule(pr.spec) != nil ||
			slices.ContainsFunc(planned[:i], func(o plannedRule) bool { return o.spec == pr.spec })
		if dup {
			return nil, errorf("InvalidPermission.Duplicate", "the specified rule %s already exists", pr.spec.describe())
		}
	}
	added := make([]*sgRule, 0, len(planned))
	for _, pr := range planned {
		added = append(added, st.addRule(g, pr.spec, pr.description, pr.peerUserID, tags.clone()))
	}
	return added, nil
}

// describe words a rule the way AWS's duplicate message does:
// "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW".
func (s ruleSpec) describe() string {
	var b strings.Builder
	b.WriteString("peer: " + s.peer.value + ", ")
	if s.protocol == "-1" {
		b.WriteString("ALL")
	} else {
		b.WriteString(strings.ToUpper(s.protocol))
	}
	if s.hasPorts() {
		b.WriteString(", from port: " + strconv.Itoa(int(s.from)) + ", to port: " + strconv.Itoa(int(s.to)))
	}
	b.WriteString(", ALLOW")
	return b.String()
}

func (s *ec2Service) revokeIngress(c *call, p ec2Params) *APIError {
	return s.revoke(c, p, false)
}

func (s *ec2Service) revokeEgress(c *call, p ec2Params) *APIError {
	return s.revoke(c, p, true)
}

// revoke removes rules named by id or matched exactly by IpPermissions.
// Every named rule must exist, or nothing is revoked: where AWS answers an
// unmatched IpPermission in a default VPC with success and an
// unknownIpPermissionSet, fakecloud fails with InvalidPermission.NotFound
// (as AWS does for other VPCs), so a remediation never reports success for
// a rule it did not remove.
func (s *ec2Service) revoke(c *call, p ec2Params, egress bool) *APIError {
	in, perr := parseRuleChange(p)
	c.Record(in.trail())
	if perr != nil {
		return perr
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if len(in.tagSpecs) > 0 {
		return errorf("InvalidParameterValue", "TagSpecification is not a parameter of Revoke")
	}
	if egress && in.groupName != "" {
		return errorf("InvalidParameterValue", "Egress rules need GroupId; GroupName is for the default VPC's ingress rules only")
	}
	byRule := len(in.permissions) > 0 || in.legacy != nil
	switch {
	case len(in.ruleIDs) > 0 && byRule:
		return errorf("InvalidParameterCombination", "The parameter securityGroupRuleIds cannot be used with the parameter ipPermissions")
	case len(in.ruleIDs) == 0 && !byRule:
		return errorf("MissingParameter", "Either 'ipPermissions' or 'securityGroupRuleIds' should be provided.")
	}

	s.mu.Lock()
	st := s.state(c.account(), c.region)
	gone, err := st.revoke(in, egress)
	var revoked []xmlRevokedRule
	for _, r := range gone {
		revoked = append(revoked, r.revokedXML())
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}

	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true})
	ec2Respond(c, xmlRevokeResponse{
		RequestID: c.requestID, Return: true, Revoked: ec2XMLList[xmlRevokedRule]{Items: revoked},
	})
	return nil
}

// revoke removes the rules of a request, all or none. The caller holds s.mu.
func (st *ec2State) revoke(in ruleChangeInput, egress bool) ([]*sgRule, *APIError) {
	g, err := st.resolveGroup(in.groupID, in.groupName)
	if err != nil {
		return nil, err
	}
	var gone []*sgRule
	if len(in.ruleIDs) > 0 {
		for _, id := range in.ruleIDs {
			if !strings.HasPrefix(id, ruleIDPrefix) {
				return nil, errorf("InvalidSecurityGroupRuleId.Malformed", "The security group rule ID '%s' is malformed", id)
			}
			r, ok := st.rules[id]
			// A rule of another group, or of the other direction, is not
			// one this call can revoke: AWS reports it as not found.
			if !ok || r.groupID != g.id || r.egress != egress {
				return nil, ruleNotFound(id)
			}
			if !slices.Contains(gone, r) {
				gone = append(gone, r)
			}
		}
	} else {
		planned, err := st.plan(g, in, egress)
		if err != nil {
			return nil, err
		}
		for _, pr := range planned {
			r := g.findRule(pr.spec)
			if r == nil {
				return nil, errorf("InvalidPermission.NotFound", "The specified rule does not exist in this security group. (%s)", pr.spec.describe())
			}
			if !slices.Contains(gone, r) {
				gone = append(gone, r)
			}
		}
	}
	st.removeRules(g, gone)
	return gone, nil
}

func ruleNotFound(id string) *APIError {
	return errorf("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
}

// securityGroupRuleFilters are the DescribeSecurityGroupRules filters emulated.
var securityGroupRuleFilters = []string{"group-id", "security-group-rule-id", "tag:*", "tag-key", "tag-value"}

func (s *ec2Service) describeSecurityGroupRules(c *call, p ec2Params) *APIError {
	ids := p.strings("SecurityGroupRuleId")
	filters, err := p.filters(securityGroupRuleFilters...)
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}

	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var rules []*sgRule
	if len(ids) > 0 {
		for _, id := range ids {
			if !strings.HasPrefix(id, ruleIDPrefix) {
				s.mu.Unlock()
				return errorf("InvalidSecurityGroupRuleId.Malformed", "The security group rule ID '%s' is malformed", id)
			}
			r, ok := st.rules[id]
			if !ok {
				s.mu.Unlock()
				return ruleNotFound(id)
			}
			rules = append(rules, r)
		}
	} else {
		for _, r := range st.rules {
			rules = append(rules, r)
		}
	}
	rules = slices.DeleteFunc(rules, func(r *sgRule) bool { return !r.matches(filters) })
	slices.SortFunc(rules, func(a, b *sgRule) int { return strings.Compare(a.id, b.id) })
	rules = slices.Compact(rules)
	page, next := ec2Paginate(rules, func(r *sgRule) string { return r.id }, max, after)
	items := make([]xmlSecurityGroupRule, 0, len(page))
	for _, r := range page {
		items = append(items, r.xml(c.region, true))
	}
	s.mu.Unlock()

	ec2Respond(c, xmlDescribeSecurityGroupRulesResponse{
		RequestID: c.requestID, Rules: ec2XMLList[xmlSecurityGroupRule]{Items: items}, NextToken: next,
	})
	return nil
}

func (r *sgRule) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if ok, isTag := f.matchesTags(r.tags); isTag {
			if !ok {
				return false
			}
			continue
		}
		v := r.id
		if f.name == "group-id" {
			v = r.groupID
		}
		if !f.matches(v) {
			return false
		}
	}
	return true
}
