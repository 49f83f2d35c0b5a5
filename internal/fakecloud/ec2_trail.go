package fakecloud

// CloudTrail writes EC2's requestParameters and responseElements in the
// shape of the API's XML, turned to JSON: a list is an object with an
// "items" array, an absent or empty list is {} (never omitted, for the
// lists of an IpPermission), and <return> becomes "_return". The shapes
// here are checked against captured events in ec2_trail_test.go; see
// testdata/cloudtrail/SOURCES-ec2.md.

// ec2TrailItems is CloudTrail's rendering of a list: {"items": [...]}, or {}.
func ec2TrailItems(items []any) map[string]any {
	if len(items) == 0 {
		return map[string]any{}
	}
	return map[string]any{"items": items}
}

// trail is the requestParameters of Authorize/Revoke Ingress/Egress:
// exactly what the caller sent. ipPermissions is always there, {} when the
// caller used the legacy top-level CidrIp/IpProtocol/FromPort/ToPort form
// (whose fields are then top-level too) or revoked by rule id.
func (in ruleChangeInput) trail() map[string]any {
	params := map[string]any{}
	if in.groupID != "" {
		params["groupId"] = in.groupID
	}
	if in.groupName != "" {
		params["groupName"] = in.groupName
	}
	if len(in.ruleIDs) > 0 {
		ids := make([]any, 0, len(in.ruleIDs))
		for _, id := range in.ruleIDs {
			ids = append(ids, map[string]any{"securityGroupRuleId": id})
		}
		params["securityGroupRuleIds"] = ec2TrailItems(ids)
	} else {
		perms := make([]any, 0, len(in.permissions))
		for _, p := range in.permissions {
			perms = append(perms, p.trail())
		}
		params["ipPermissions"] = ec2TrailItems(perms)
	}
	if l := in.legacy; l != nil {
		if l.cidrIP != "" {
			params["cidrIp"] = l.cidrIP
		}
		if l.protocol != "" {
			params["ipProtocol"] = l.protocol
		}
		if l.fromPort != nil {
			params["fromPort"] = *l.fromPort
		}
		if l.toPort != nil {
			params["toPort"] = *l.toPort
		}
	}
	if len(in.tagSpecs) > 0 {
		params["tagSpecificationSet"] = ec2TagSpecsTrail(in.tagSpecs)
	}
	return params
}

func (p ipPermissionInput) trail() map[string]any {
	out := map[string]any{"ipProtocol": p.protocol}
	if p.fromPort != nil {
		out["fromPort"] = *p.fromPort
	}
	if p.toPort != nil {
		out["toPort"] = *p.toPort
	}
	peers := func(list []peerInput, field string) map[string]any {
		items := make([]any, 0, len(list))
		for _, r := range list {
			item := map[string]any{field: r.value}
			if r.description != "" {
				item["description"] = r.description
			}
			items = append(items, item)
		}
		return ec2TrailItems(items)
	}
	out["ipRanges"] = peers(p.ipRanges, "cidrIp")
	out["ipv6Ranges"] = peers(p.ipv6Ranges, "cidrIpv6")
	out["prefixListIds"] = peers(p.prefixListIDs, "prefixListId")
	groups := make([]any, 0, len(p.groups))
	for _, g := range p.groups {
		item := map[string]any{}
		for k, v := range map[string]string{"groupId": g.groupID, "groupName": g.groupName, "userId": g.userID, "description": g.description} {
			if v != "" {
				item[k] = v
			}
		}
		groups = append(groups, item)
	}
	out["groups"] = ec2TrailItems(groups)
	return out
}

// trail is a rule as responseElements.securityGroupRuleSet lists it.
// securityGroupRuleArn appears in captures since late 2024, not before.
func (r *sgRule) trail(region string) map[string]any {
	out := map[string]any{
		"groupOwnerId":         r.owner,
		"groupId":              r.groupID,
		"securityGroupRuleId":  r.id,
		"isEgress":             r.egress,
		"ipProtocol":           r.protocol,
		"fromPort":             r.from,
		"toPort":               r.to,
		"securityGroupRuleArn": securityGroupRuleARN(region, r.owner, r.id),
	}
	switch r.peer.kind {
	case peerCIDRv4:
		out["cidrIpv4"] = r.peer.value
	case peerCIDRv6:
		out["cidrIpv6"] = r.peer.value
	case peerGroup:
		out["referencedGroupInfo"] = map[string]any{"groupId": r.peer.value, "userId": r.peerUserID}
	case peerPrefixList:
		out["prefixListId"] = r.peer.value
	}
	if r.description != "" {
		out["description"] = r.description
	}
	if len(r.tags) > 0 {
		out["tagSet"] = ec2TagsTrail(r.tags)
	}
	return out
}

// trail is the requestParameters of CreateTags and DeleteTags. A DeleteTags
// tag given without a value has no "value".
func (in ec2TagChangeInput) trail() map[string]any {
	ids := make([]any, 0, len(in.resourceIDs))
	for _, id := range in.resourceIDs {
		ids = append(ids, map[string]any{"resourceId": id})
	}
	tags := make([]any, 0, len(in.tags))
	for _, t := range in.tags {
		item := map[string]any{"key": t.key}
		if t.hasValue {
			item["value"] = t.value
		}
		tags = append(tags, item)
	}
	return map[string]any{"resourcesSet": ec2TrailItems(ids), "tagSet": ec2TrailItems(tags)}
}

func ec2TagsTrail(tags ec2Tags) map[string]any {
	items := make([]any, 0, len(tags))
	for _, k := range tags.sortedKeys() {
		items = append(items, map[string]any{"key": k, "value": tags[k]})
	}
	return ec2TrailItems(items)
}

// ec2TagSpecsTrail renders TagSpecification.N as CloudTrail does for
// EC2 create calls: each spec's tags are a plain array, not {"items"}.
func ec2TagSpecsTrail(specs []ec2TagSpecInput) map[string]any {
	items := make([]any, 0, len(specs))
	for _, s := range specs {
		tags := make([]any, 0, len(s.tags))
		for _, t := range s.tags {
			tags = append(tags, map[string]any{"key": t.key, "value": t.value})
		}
		items = append(items, map[string]any{"resourceType": s.resourceType, "tags": tags})
	}
	return ec2TrailItems(items)
}
