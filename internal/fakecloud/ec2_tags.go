package fakecloud

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ec2Tags are the tags of one resource (a group or a rule).
type ec2Tags map[string]string

// AWS's tag limits for EC2 resources.
const (
	ec2MaxTags     = 50
	ec2MaxTagKey   = 128
	ec2MaxTagValue = 256
)

func (t ec2Tags) clone() ec2Tags {
	if t == nil {
		return ec2Tags{}
	}
	return maps.Clone(t)
}

// sortedKeys lists the tag keys in order, so responses are stable.
func (t ec2Tags) sortedKeys() []string {
	return slices.Sorted(maps.Keys(t))
}

// ec2CheckTag validates one tag as EC2 does; "aws:" keys belong to AWS.
func ec2CheckTag(key, value string) *APIError {
	switch {
	case key == "":
		return errorf("InvalidParameterValue", "Tag key must not be empty")
	case len(key) > ec2MaxTagKey:
		return errorf("InvalidParameterValue", "Tag key exceeds the maximum length of %d characters", ec2MaxTagKey)
	case len(value) > ec2MaxTagValue:
		return errorf("InvalidParameterValue", "Tag value exceeds the maximum length of %d characters", ec2MaxTagValue)
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return errorf("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
	}
	return nil
}

// ec2TagInput is one Tag.N; hasValue tells DeleteTags whether to match a
// value ("" included) or delete the key whatever its value.
type ec2TagInput struct {
	key, value string
	hasValue   bool
}

func (p ec2Params) tags(prefix string) []ec2TagInput {
	var out []ec2TagInput
	for _, n := range p.indices(prefix) {
		item := prefix + "." + strconv.Itoa(n)
		out = append(out, ec2TagInput{key: p.get(item + ".Key"), value: p.get(item + ".Value"), hasValue: p.has(item + ".Value")})
	}
	return out
}

// ec2TagSpecInput is one TagSpecification.N: tags for a resource a call creates.
type ec2TagSpecInput struct {
	resourceType string
	tags         []ec2TagInput
}

func (p ec2Params) tagSpecifications() []ec2TagSpecInput {
	var out []ec2TagSpecInput
	for _, n := range p.indices("TagSpecification") {
		prefix := "TagSpecification." + strconv.Itoa(n)
		out = append(out, ec2TagSpecInput{resourceType: p.get(prefix + ".ResourceType"), tags: p.tags(prefix + ".Tag")})
	}
	return out
}

// ec2TagsForResource validates tag specifications for a call that creates
// resourceType and returns the tags to apply.
func ec2TagsForResource(specs []ec2TagSpecInput, resourceType string) (ec2Tags, *APIError) {
	tags := ec2Tags{}
	for _, spec := range specs {
		if spec.resourceType != resourceType {
			return nil, errorf("InvalidParameterValue", "'%s' is not a valid ec2Taggable resource type for this operation (want '%s').", spec.resourceType, resourceType)
		}
		for _, t := range spec.tags {
			if err := ec2CheckTag(t.key, t.value); err != nil {
				return nil, err
			}
			tags[t.key] = t.value
		}
	}
	if len(tags) > ec2MaxTags {
		return nil, errorf("TagLimitExceeded", "The maximum number of tags per resource (%d) has been exceeded", ec2MaxTags)
	}
	return tags, nil
}

// ec2Taggable is a resource CreateTags and friends may address.
type ec2Taggable struct {
	id, resourceType string
	tags             ec2Tags
}

// findTaggable finds a resource by id: a security group or rule, an EBS
// snapshot, a subnet, an instance, a VPC or a flow log; any other id is reported as not valid.
func (st *ec2State) findTaggable(id string) (ec2Taggable, *APIError) {
	switch {
	case strings.HasPrefix(id, snapshotIDPrefix):
		snap, err := st.snapshot(id)
		if err != nil {
			return ec2Taggable{}, err
		}
		if snap.tags == nil {
			snap.tags = ec2Tags{}
		}
		return ec2Taggable{id, "snapshot", snap.tags}, nil
	case strings.HasPrefix(id, subnetIDPrefix):
		sn, err := st.subnet(id)
		if err != nil {
			return ec2Taggable{}, err
		}
		return ec2Taggable{id, "subnet", sn.tags}, nil
	case strings.HasPrefix(id, instanceIDPrefix):
		in, err := st.instance(id)
		if err != nil {
			return ec2Taggable{}, err
		}
		return ec2Taggable{id, "instance", in.tags}, nil
	case strings.HasPrefix(id, vpcIDPrefix):
		v, err := st.vpc(id)
		if err != nil {
			return ec2Taggable{}, err
		}
		return ec2Taggable{id, "vpc", v.tags}, nil
	case strings.HasPrefix(id, flowLogIDPrefix):
		fl, ok := st.flowLogs[id]
		if !ok {
			return ec2Taggable{}, errorf("InvalidFlowLogId.NotFound", "The flow log ID '%s' does not exist", id)
		}
		return ec2Taggable{id, "vpc-flow-log", fl.tags}, nil
	case strings.HasPrefix(id, ruleIDPrefix):
		r, ok := st.rules[id]
		if !ok {
			return ec2Taggable{}, ruleNotFound(id)
		}
		return ec2Taggable{id, "security-group-rule", r.tags}, nil
	case strings.HasPrefix(id, groupIDPrefix):
		g, ok := st.groups[id]
		if !ok {
			return ec2Taggable{}, groupNotFound(id)
		}
		return ec2Taggable{id, "security-group", g.tags}, nil
	}
	return ec2Taggable{}, errorf("InvalidID", "The ID '%s' is not valid (fakecloud tags security groups, their rules, snapshots, subnets, instances, VPCs and flow logs only)", id)
}

// ec2TagChangeInput is the input of CreateTags and DeleteTags.
type ec2TagChangeInput struct {
	resourceIDs []string
	tags        []ec2TagInput
}

func parseEC2TagChange(p ec2Params) ec2TagChangeInput {
	return ec2TagChangeInput{resourceIDs: p.strings("ResourceId"), tags: p.tags("Tag")}
}

// resolve finds every resource of a tag change, all or nothing.
func (st *ec2State) resolve(ids []string) ([]ec2Taggable, *APIError) {
	out := make([]ec2Taggable, 0, len(ids))
	for _, id := range ids {
		t, err := st.findTaggable(id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *ec2Service) createTags(c *call, p ec2Params) *APIError {
	in := parseEC2TagChange(p)
	c.Record(in.trail())
	if err := ec2DryRun(p); err != nil {
		return err
	}
	switch {
	case len(in.resourceIDs) == 0:
		return errorf("MissingParameter", "The request must contain the parameter resourceIdSet")
	case len(in.tags) == 0:
		return errorf("MissingParameter", "The request must contain the parameter tagSet")
	}
	for _, t := range in.tags {
		if err := ec2CheckTag(t.key, t.value); err != nil {
			return err
		}
	}

	s.mu.Lock()
	err := s.state(c.account(), c.region).createTags(in)
	s.mu.Unlock()
	if err != nil {
		return err
	}

	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true})
	ec2Respond(c, ec2ReturnResponse{RequestID: c.requestID, Return: true})
	return nil
}

// createTags adds or overwrites tags on every resource, or on none if a
// resource is missing or would pass the tag limit. The caller holds s.mu.
func (st *ec2State) createTags(in ec2TagChangeInput) *APIError {
	targets, err := st.resolve(in.resourceIDs)
	if err != nil {
		return err
	}
	for _, t := range targets {
		merged := t.tags.clone()
		for _, tag := range in.tags {
			merged[tag.key] = tag.value
		}
		if len(merged) > ec2MaxTags {
			return errorf("TagLimitExceeded", "The maximum number of tags per resource (%d) would be exceeded on %s", ec2MaxTags, t.id)
		}
	}
	for _, t := range targets {
		for _, tag := range in.tags {
			t.tags[tag.key] = tag.value
		}
	}
	return nil
}

func (s *ec2Service) deleteTags(c *call, p ec2Params) *APIError {
	in := parseEC2TagChange(p)
	c.Record(in.trail())
	if err := ec2DryRun(p); err != nil {
		return err
	}
	if len(in.resourceIDs) == 0 {
		return errorf("MissingParameter", "The request must contain the parameter resourceIdSet")
	}

	s.mu.Lock()
	err := s.state(c.account(), c.region).deleteTags(in)
	s.mu.Unlock()
	if err != nil {
		return err
	}

	c.RecordResponse(map[string]any{"requestId": c.requestID, "_return": true})
	ec2Respond(c, ec2ReturnResponse{RequestID: c.requestID, Return: true})
	return nil
}

// deleteTags removes the named tags (all tags when none are named). A tag
// given with a value, even an empty one, goes only if its value matches,
// as in AWS. The caller holds s.mu.
func (st *ec2State) deleteTags(in ec2TagChangeInput) *APIError {
	targets, err := st.resolve(in.resourceIDs)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if len(in.tags) == 0 {
			clear(t.tags)
			continue
		}
		for _, tag := range in.tags {
			if v, ok := t.tags[tag.key]; ok && (!tag.hasValue || v == tag.value) {
				delete(t.tags, tag.key)
			}
		}
	}
	return nil
}

// ec2TagFilters are the DescribeTags filters emulated.
var ec2TagFilters = []string{"resource-id", "resource-type", "key", "value"}

// ec2TagDescription is one row of DescribeTags.
type ec2TagDescription struct{ resourceID, resourceType, key, value string }

func (s *ec2Service) describeTags(c *call, p ec2Params) *APIError {
	filters, err := p.filters(ec2TagFilters...)
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
	var rows []ec2TagDescription
	collect := func(id, resourceType string, tags ec2Tags) {
		for _, k := range tags.sortedKeys() {
			rows = append(rows, ec2TagDescription{id, resourceType, k, tags[k]})
		}
	}
	for _, g := range st.groups {
		collect(g.id, "security-group", g.tags)
	}
	for _, r := range st.rules {
		collect(r.id, "security-group-rule", r.tags)
	}
	for _, snap := range st.snapshots {
		collect(snap.id, "snapshot", snap.tags)
	}
	for _, sn := range st.subnets {
		collect(sn.id, "subnet", sn.tags)
	}
	for _, in := range st.instances {
		collect(in.id, "instance", in.tags)
	}
	for _, v := range st.vpcs {
		collect(v.id, "vpc", v.tags)
	}
	for _, fl := range st.flowLogs {
		collect(fl.id, "vpc-flow-log", fl.tags)
	}
	s.mu.Unlock()

	rows = slices.DeleteFunc(rows, func(d ec2TagDescription) bool { return !d.matches(filters) })
	// \x00 sorts before any character of an id, so this orders by
	// resource, then key, and is a valid paging key.
	key := func(d ec2TagDescription) string { return d.resourceID + "\x00" + d.key }
	slices.SortFunc(rows, func(a, b ec2TagDescription) int { return strings.Compare(key(a), key(b)) })
	page, next := ec2Paginate(rows, key, max, after)
	items := make([]ec2XMLTagDescription, 0, len(page))
	for _, d := range page {
		items = append(items, ec2XMLTagDescription{ResourceID: d.resourceID, ResourceType: d.resourceType, Key: d.key, Value: d.value})
	}
	ec2Respond(c, ec2DescribeTagsResponse{
		RequestID: c.requestID, Tags: ec2XMLList[ec2XMLTagDescription]{Items: items}, NextToken: next,
	})
	return nil
}

func (d ec2TagDescription) matches(filters []ec2Filter) bool {
	for _, f := range filters {
		var v string
		switch f.name {
		case "resource-id":
			v = d.resourceID
		case "resource-type":
			v = d.resourceType
		case "key":
			v = d.key
		case "value":
			v = d.value
		}
		if !f.matches(v) {
			return false
		}
	}
	return true
}
