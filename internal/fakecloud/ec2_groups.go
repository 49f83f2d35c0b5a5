package fakecloud

import (
	"fmt"
	"slices"
	"strings"
)

// securityGroup is one VPC security group. Its rules live both here, in
// creation order (the order AWS lists them in), and in ec2State.rules, so
// DescribeSecurityGroupRules and Revoke by rule id find them directly.
type securityGroup struct {
	id, name, description, vpcID, owner string
	rules                               []*sgRule
	tags                                ec2Tags
}

// groupIDPrefix starts every group id. Ids are otherwise free-form so that
// seeds may use readable ids ("sg-0web"), which real AWS would not issue.
const groupIDPrefix = "sg-"

// maxGroupField bounds a group name or description, as in AWS.
const maxGroupField = 255

// checkGroupID rejects an id that cannot be a group id, the way EC2 does
// before it looks anything up.
func checkGroupID(id string) *APIError {
	if !strings.HasPrefix(id, groupIDPrefix) || len(id) == len(groupIDPrefix) {
		return errorf("InvalidGroupId.Malformed", "Invalid id: %q (expecting \"sg-...\")", id)
	}
	return nil
}

func groupNotFound(id string) *APIError {
	return errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
}

// group finds a group by id. The caller holds s.mu.
func (st *ec2State) group(id string) (*securityGroup, *APIError) {
	if err := checkGroupID(id); err != nil {
		return nil, err
	}
	g, ok := st.groups[id]
	if !ok {
		return nil, groupNotFound(id)
	}
	return g, nil
}

// groupByName finds a group by name in a VPC; names are unique per VPC,
// case-insensitively, as in AWS.
func (st *ec2State) groupByName(name, vpcID string) *securityGroup {
	for _, g := range st.groups {
		if g.vpcID == vpcID && strings.EqualFold(g.name, name) {
			return g
		}
	}
	return nil
}

// resolveGroup finds the group a request targets: by GroupId, or by
// GroupName in the default VPC, which is all EC2 allows names for.
func (st *ec2State) resolveGroup(id, name string) (*securityGroup, *APIError) {
	switch {
	case id != "" && name != "":
		return nil, errorf("InvalidParameterCombination", "The parameter groupName cannot be used with the parameter groupId")
	case id != "":
		return st.group(id)
	case name != "":
		if g := st.groupByName(name, DefaultVPCID); g != nil {
			return g, nil
		}
		return nil, errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, DefaultVPCID)
	}
	return nil, errorf("MissingParameter", "The request must contain the parameter groupId or groupName")
}

// newGroup validates and adds a group with AWS's default egress rule
// (all traffic to 0.0.0.0/0) unless egress is given. id may be empty to
// generate one. The caller holds s.mu.
func (st *ec2State) newGroup(id, name, description, vpcID string, tags ec2Tags) (*securityGroup, *APIError) {
	switch {
	case name == "":
		return nil, errorf("MissingParameter", "The request must contain the parameter GroupName")
	case description == "":
		return nil, errorf("MissingParameter", "The request must contain the parameter GroupDescription")
	case len(name) > maxGroupField:
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter GroupName is invalid. Length exceeds maximum of %d.", name, maxGroupField)
	case len(description) > maxGroupField:
		return nil, errorf("InvalidParameterValue", "Value for parameter GroupDescription is invalid. Length exceeds maximum of %d.", maxGroupField)
	case strings.HasPrefix(strings.ToLower(name), groupIDPrefix):
		return nil, errorf("InvalidParameterValue", "Group names may not be in the format sg-*.")
	}
	if vpcID == "" {
		vpcID = DefaultVPCID
	}
	if st.vpcs[vpcID] == nil {
		return nil, errorf("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpcID)
	}
	if st.groupByName(name, vpcID) != nil {
		return nil, errorf("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpcID)
	}
	if id == "" {
		id = newID(groupIDPrefix, 17)
	} else if err := checkGroupID(id); err != nil {
		return nil, err
	}
	if _, dup := st.groups[id]; dup {
		return nil, errorf("InvalidGroup.Duplicate", "The security group '%s' already exists", id)
	}
	if tags == nil {
		tags = ec2Tags{}
	}
	g := &securityGroup{id: id, name: name, description: description, vpcID: vpcID, owner: st.account, tags: tags}
	st.groups[id] = g
	return g, nil
}

// addDefaultEgress gives a new group the rule AWS creates with every VPC
// security group: all protocols to 0.0.0.0/0.
func (st *ec2State) addDefaultEgress(g *securityGroup) {
	st.addRule(g, ruleSpec{egress: true, portRange: allTraffic, peer: rulePeer{kind: peerCIDRv4, value: "0.0.0.0/0"}}, "", "", nil)
}

// deleteGroup removes a group and its rules, refusing while another
// group's rule references it, as AWS does.
func (st *ec2State) deleteGroup(g *securityGroup) *APIError {
	for _, other := range st.groups {
		if other == g {
			continue
		}
		for _, r := range other.rules {
			if r.peer.kind == peerGroup && r.peer.value == g.id {
				return errorf("DependencyViolation", "resource %s has a dependent object", g.id)
			}
		}
	}
	for _, r := range g.rules {
		delete(st.rules, r.id)
	}
	delete(st.groups, g.id)
	return nil
}

func (s *ec2Service) createSecurityGroup(c *call, p ec2Params) *APIError {
	name, description, vpcID := p.get("GroupName"), p.get("GroupDescription"), p.get("VpcId")
	specs := p.tagSpecifications()
	params := map[string]any{"groupName": name, "groupDescription": description}
	if vpcID != "" {
		params["vpcId"] = vpcID
	}
	if len(specs) > 0 {
		params["tagSpecificationSet"] = ec2TagSpecsTrail(specs)
	}
	c.Record(params)
	if err := ec2DryRun(p); err != nil {
		return err
	}
	tags, err := ec2TagsForResource(specs, "security-group")
	if err != nil {
		return err
	}

	s.mu.Lock()
	st := s.state(c.account(), c.region)
	g, err := st.newGroup("", name, description, vpcID, tags)
	if err == nil {
		st.addDefaultEgress(g)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}

	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true, "groupId": g.id})
	resp := xmlCreateSecurityGroupResponse{
		RequestID: c.requestID, Return: true, GroupID: g.id,
		ARN: securityGroupARN(c.region, c.account(), g.id),
	}
	if len(tags) > 0 {
		resp.Tags = tags.xml()
	}
	ec2Respond(c, resp)
	return nil
}

func (s *ec2Service) deleteSecurityGroup(c *call, p ec2Params) *APIError {
	id, name := p.get("GroupId"), p.get("GroupName")
	params := map[string]any{}
	if id != "" {
		params["groupId"] = id
	}
	if name != "" {
		params["groupName"] = name
	}
	c.Record(params)
	if err := ec2DryRun(p); err != nil {
		return err
	}

	s.mu.Lock()
	st := s.state(c.account(), c.region)
	g, err := st.resolveGroup(id, name)
	if err == nil {
		err = st.deleteGroup(g)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}

	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true})
	ec2Respond(c, xmlDeleteSecurityGroupResponse{RequestID: c.requestID, Return: true, GroupID: g.id})
	return nil
}

// securityGroupFilters are the DescribeSecurityGroups filters emulated.
var securityGroupFilters = []string{"group-id", "group-name", "vpc-id", "description", "owner-id", "tag:*", "tag-key", "tag-value"}

func (s *ec2Service) describeSecurityGroups(c *call, p ec2Params) *APIError {
	ids, names := p.strings("GroupId"), p.strings("GroupName")
	filters, err := p.filters(securityGroupFilters...)
	if err != nil {
		return err
	}
	max, after, err := p.pagination()
	if err != nil {
		return err
	}
	if max > 0 && len(ids) > 0 {
		return errorf("InvalidParameterCombination", "The parameter groupIds cannot be used with the parameter maxResults")
	}
	if err := ec2DryRun(p); err != nil {
		return err
	}

	s.mu.Lock()
	st := s.state(c.account(), c.region)
	var groups []*securityGroup
	if len(ids) > 0 || len(names) > 0 {
		// Explicit ids and names must all exist: EC2 fails the whole call
		// rather than returning the ones it found.
		for _, id := range ids {
			g, err := st.group(id)
			if err != nil {
				s.mu.Unlock()
				return err
			}
			groups = append(groups, g)
		}
		for _, name := range names {
			g, err := st.resolveGroup("", name)
			if err != nil {
				s.mu.Unlock()
				return err
			}
			groups = append(groups, g)
		}
	} else {
		for _, g := range st.groups {
			groups = append(groups, g)
		}
	}
	groups = slices.DeleteFunc(groups, func(g *securityGroup) bool { return !g.matches(filters) })
	slices.SortFunc(groups, func(a, b *securityGroup) int { return strings.Compare(a.id, b.id) })
	groups = slices.Compact(groups) // a group named by both id and name
	page, next := ec2Paginate(groups, func(g *securityGroup) string { return g.id }, max, after)
	items := make([]xmlSecurityGroup, 0, len(page))
	for _, g := range page {
		items = append(items, g.xml(c.region))
	}
	s.mu.Unlock()

	ec2Respond(c, xmlDescribeSecurityGroupsResponse{
		RequestID: c.requestID, Groups: ec2XMLList[xmlSecurityGroup]{Items: items}, NextToken: next,
	})
	return nil
}

func (g *securityGroup) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		if ok, isTag := f.matchesTags(g.tags); isTag {
			if !ok {
				return false
			}
			continue
		}
		var v string
		switch f.name {
		case "group-id":
			v = g.id
		case "group-name":
			v = g.name
		case "vpc-id":
			v = g.vpcID
		case "description":
			v = g.description
		case "owner-id":
			v = g.owner
		}
		if !f.matches(v) {
			return false
		}
	}
	return true
}

// SeedSecurityGroup creates a security group in account from a seed,
// emitting no CloudTrail event, and returns its id. An empty GroupID is
// generated, an empty Description is the name, an empty VpcID is
// DefaultVPCID (any other VPC is created implicitly), and nil Egress means
// AWS's default allow-all egress rule (an empty, non-nil Egress means none).
func (c *Cloud) SeedSecurityGroup(account string, sg SecurityGroupSeed) (string, error) {
	if account == "" {
		return "", fmt.Errorf("seed security group %q: account is empty", sg.GroupName)
	}
	region := sg.Region
	if region == "" {
		region = DefaultRegion
	}
	description := sg.Description
	if description == "" {
		// The API requires one; a seed should not have to invent it.
		description = sg.GroupName
	}
	for k, v := range sg.Tags {
		if err := ec2CheckTag(k, v); err != nil {
			return "", fmt.Errorf("seed security group %q: %w", sg.GroupName, err)
		}
	}
	specs := make([]ruleSpec, 0, len(sg.Ingress)+len(sg.Egress))
	descriptions := make([]string, 0, cap(specs))
	for _, rules := range []struct {
		egress bool
		seeds  []RuleSeed
	}{{false, sg.Ingress}, {true, sg.Egress}} {
		for i, r := range rules.seeds {
			spec, err := r.spec(rules.egress)
			if err != nil {
				return "", fmt.Errorf("seed security group %q: rule %d: %w", sg.GroupName, i+1, err)
			}
			if slices.Contains(specs, spec) {
				return "", fmt.Errorf("seed security group %q: rule %d duplicates an earlier rule", sg.GroupName, i+1)
			}
			specs = append(specs, spec)
			descriptions = append(descriptions, r.Description)
		}
	}

	s := c.ec2
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(account, region)
	if sg.VpcID != "" {
		st.ensureVPC(sg.VpcID)
	}
	tags := ec2Tags{}
	for k, v := range sg.Tags {
		tags[k] = v
	}
	g, err := st.newGroup(sg.GroupID, sg.GroupName, description, sg.VpcID, tags)
	if err != nil {
		return "", fmt.Errorf("seed security group %q: %w", sg.GroupName, err)
	}
	if sg.Egress == nil {
		st.addDefaultEgress(g)
	}
	for i, spec := range specs {
		st.addRule(g, spec, descriptions[i], account, nil)
	}
	return g.id, nil
}

// spec turns a seeded rule into a rule, validated like an API call.
func (r RuleSeed) spec(egress bool) (ruleSpec, error) {
	from, to := r.FromPort, r.ToPort
	ports, err := normalizePorts(r.Protocol, &from, &to)
	if err != nil {
		return ruleSpec{}, err
	}
	var peer rulePeer
	switch {
	case r.CidrIPv4 != "" && r.CidrIPv6 != "":
		return ruleSpec{}, fmt.Errorf("give one of cidr_ipv4 and cidr_ipv6 per rule, not both")
	case r.CidrIPv4 != "":
		peer, err = cidrPeer(r.CidrIPv4, false)
	case r.CidrIPv6 != "":
		peer, err = cidrPeer(r.CidrIPv6, true)
	default:
		return ruleSpec{}, fmt.Errorf("give cidr_ipv4 or cidr_ipv6")
	}
	if err != nil {
		return ruleSpec{}, err
	}
	return ruleSpec{egress: egress, portRange: ports, peer: peer}, nil
}
