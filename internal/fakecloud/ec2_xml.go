package fakecloud

// The EC2 response documents. Element names follow the EC2 API reference
// and are what aws-sdk-go-v2's ec2 deserializers match (case-insensitively,
// but AWS's exact case is kept). Every list is a wrapper element of <item>s.
// Lists AWS always sends, even empty, are value fields; lists it sends only
// when non-empty are pointers, which encoding/xml omits when nil.

type ec2XMLList[T any] struct {
	Items []T `xml:"item"`
}

type ec2XMLTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type ec2ReturnResponse struct {
	RequestID string `xml:"requestId"`
	Return    bool   `xml:"return"`
}

type xmlCreateSecurityGroupResponse struct {
	RequestID string                 `xml:"requestId"`
	Return    bool                   `xml:"return"`
	GroupID   string                 `xml:"groupId"`
	ARN       string                 `xml:"securityGroupArn"`
	Tags      *ec2XMLList[ec2XMLTag] `xml:"tagSet"`
}

type xmlDeleteSecurityGroupResponse struct {
	RequestID string `xml:"requestId"`
	Return    bool   `xml:"return"`
	GroupID   string `xml:"groupId"`
}

type xmlDescribeSecurityGroupsResponse struct {
	RequestID string                       `xml:"requestId"`
	Groups    ec2XMLList[xmlSecurityGroup] `xml:"securityGroupInfo"`
	NextToken string                       `xml:"nextToken,omitempty"`
}

type xmlSecurityGroup struct {
	OwnerID     string                      `xml:"ownerId"`
	GroupID     string                      `xml:"groupId"`
	GroupName   string                      `xml:"groupName"`
	Description string                      `xml:"groupDescription"`
	VpcID       string                      `xml:"vpcId"`
	ARN         string                      `xml:"securityGroupArn"`
	Ingress     ec2XMLList[xmlIPPermission] `xml:"ipPermissions"`
	Egress      ec2XMLList[xmlIPPermission] `xml:"ipPermissionsEgress"`
	Tags        ec2XMLList[ec2XMLTag]       `xml:"tagSet"`
}

// xmlIPPermission is the grouped view of rules: one per protocol and port
// range, with every peer of those rules in its lists.
type xmlIPPermission struct {
	IPProtocol    string                      `xml:"ipProtocol"`
	FromPort      *int32                      `xml:"fromPort"`
	ToPort        *int32                      `xml:"toPort"`
	Groups        ec2XMLList[xmlGroupPair]    `xml:"groups"`
	IPRanges      ec2XMLList[xmlIPRange]      `xml:"ipRanges"`
	IPv6Ranges    ec2XMLList[xmlIPv6Range]    `xml:"ipv6Ranges"`
	PrefixListIDs ec2XMLList[xmlPrefixListID] `xml:"prefixListIds"`
}

type xmlGroupPair struct {
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	Description string `xml:"description,omitempty"`
}

type xmlIPRange struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type xmlIPv6Range struct {
	CidrIPv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type xmlPrefixListID struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type xmlAuthorizeResponse struct {
	RequestID string                           `xml:"requestId"`
	Return    bool                             `xml:"return"`
	Rules     ec2XMLList[xmlSecurityGroupRule] `xml:"securityGroupRuleSet"`
}

type xmlRevokeResponse struct {
	RequestID string                     `xml:"requestId"`
	Return    bool                       `xml:"return"`
	Revoked   ec2XMLList[xmlRevokedRule] `xml:"revokedSecurityGroupRuleSet"`
}

type xmlDescribeSecurityGroupRulesResponse struct {
	RequestID string                           `xml:"requestId"`
	Rules     ec2XMLList[xmlSecurityGroupRule] `xml:"securityGroupRuleSet"`
	NextToken string                           `xml:"nextToken,omitempty"`
}

// xmlSecurityGroupRule has fromPort and toPort always, -1 for protocols
// without ports, as DescribeSecurityGroupRules does.
type xmlSecurityGroupRule struct {
	ID              string                 `xml:"securityGroupRuleId"`
	GroupID         string                 `xml:"groupId"`
	GroupOwnerID    string                 `xml:"groupOwnerId"`
	IsEgress        bool                   `xml:"isEgress"`
	IPProtocol      string                 `xml:"ipProtocol"`
	FromPort        int32                  `xml:"fromPort"`
	ToPort          int32                  `xml:"toPort"`
	CidrIPv4        string                 `xml:"cidrIpv4,omitempty"`
	CidrIPv6        string                 `xml:"cidrIpv6,omitempty"`
	PrefixListID    string                 `xml:"prefixListId,omitempty"`
	ReferencedGroup *xmlReferencedGroup    `xml:"referencedGroupInfo"`
	Description     string                 `xml:"description,omitempty"`
	Tags            *ec2XMLList[ec2XMLTag] `xml:"tagSet"`
	ARN             string                 `xml:"securityGroupRuleArn"`
}

type xmlReferencedGroup struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

type xmlRevokedRule struct {
	ID                string `xml:"securityGroupRuleId"`
	GroupID           string `xml:"groupId"`
	IsEgress          bool   `xml:"isEgress"`
	IPProtocol        string `xml:"ipProtocol"`
	FromPort          int32  `xml:"fromPort"`
	ToPort            int32  `xml:"toPort"`
	CidrIPv4          string `xml:"cidrIpv4,omitempty"`
	CidrIPv6          string `xml:"cidrIpv6,omitempty"`
	PrefixListID      string `xml:"prefixListId,omitempty"`
	ReferencedGroupID string `xml:"referencedGroupId,omitempty"`
	Description       string `xml:"description,omitempty"`
}

type ec2DescribeTagsResponse struct {
	RequestID string                           `xml:"requestId"`
	Tags      ec2XMLList[ec2XMLTagDescription] `xml:"tagSet"`
	NextToken string                           `xml:"nextToken,omitempty"`
}

type ec2XMLTagDescription struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

func (t ec2Tags) xml() *ec2XMLList[ec2XMLTag] {
	l := &ec2XMLList[ec2XMLTag]{}
	for _, k := range t.sortedKeys() {
		l.Items = append(l.Items, ec2XMLTag{Key: k, Value: t[k]})
	}
	return l
}

func (g *securityGroup) xml(region string) xmlSecurityGroup {
	return xmlSecurityGroup{
		OwnerID: g.owner, GroupID: g.id, GroupName: g.name, Description: g.description, VpcID: g.vpcID,
		ARN:     securityGroupARN(region, g.owner, g.id),
		Ingress: ec2XMLList[xmlIPPermission]{Items: permissionsXML(g.rules, false)},
		Egress:  ec2XMLList[xmlIPPermission]{Items: permissionsXML(g.rules, true)},
		Tags:    *g.tags.xml(),
	}
}

// permissionsXML groups one direction's rules into IpPermissions the way
// DescribeSecurityGroups does: one per protocol and port range, in the
// order the first rule of each was created. Protocols without ports carry
// no fromPort or toPort.
func permissionsXML(rules []*sgRule, egress bool) []xmlIPPermission {
	var out []xmlIPPermission
	index := map[portRange]int{}
	for _, r := range rules {
		if r.egress != egress {
			continue
		}
		i, ok := index[r.portRange]
		if !ok {
			perm := xmlIPPermission{IPProtocol: r.protocol}
			if r.hasPorts() {
				from, to := r.from, r.to
				perm.FromPort, perm.ToPort = &from, &to
			}
			out = append(out, perm)
			i = len(out) - 1
			index[r.portRange] = i
		}
		perm := &out[i]
		switch r.peer.kind {
		case peerCIDRv4:
			perm.IPRanges.Items = append(perm.IPRanges.Items, xmlIPRange{CidrIP: r.peer.value, Description: r.description})
		case peerCIDRv6:
			perm.IPv6Ranges.Items = append(perm.IPv6Ranges.Items, xmlIPv6Range{CidrIPv6: r.peer.value, Description: r.description})
		case peerGroup:
			perm.Groups.Items = append(perm.Groups.Items, xmlGroupPair{UserID: r.peerUserID, GroupID: r.peer.value, Description: r.description})
		case peerPrefixList:
			perm.PrefixListIDs.Items = append(perm.PrefixListIDs.Items, xmlPrefixListID{PrefixListID: r.peer.value, Description: r.description})
		}
	}
	return out
}

// xml is the rule as DescribeSecurityGroupRules and Authorize return it;
// Describe always lists tags, Authorize only when the call set some.
func (r *sgRule) xml(region string, withTags bool) xmlSecurityGroupRule {
	x := xmlSecurityGroupRule{
		ID: r.id, GroupID: r.groupID, GroupOwnerID: r.owner, IsEgress: r.egress,
		IPProtocol: r.protocol, FromPort: r.from, ToPort: r.to,
		Description: r.description, ARN: securityGroupRuleARN(region, r.owner, r.id),
	}
	switch r.peer.kind {
	case peerCIDRv4:
		x.CidrIPv4 = r.peer.value
	case peerCIDRv6:
		x.CidrIPv6 = r.peer.value
	case peerGroup:
		x.ReferencedGroup = &xmlReferencedGroup{GroupID: r.peer.value, UserID: r.peerUserID}
	case peerPrefixList:
		x.PrefixListID = r.peer.value
	}
	if withTags {
		x.Tags = r.tags.xml()
	}
	return x
}

func (r *sgRule) revokedXML() xmlRevokedRule {
	x := xmlRevokedRule{
		ID: r.id, GroupID: r.groupID, IsEgress: r.egress,
		IPProtocol: r.protocol, FromPort: r.from, ToPort: r.to, Description: r.description,
	}
	switch r.peer.kind {
	case peerCIDRv4:
		x.CidrIPv4 = r.peer.value
	case peerCIDRv6:
		x.CidrIPv6 = r.peer.value
	case peerGroup:
		x.ReferencedGroupID = r.peer.value
	case peerPrefixList:
		x.PrefixListID = r.peer.value
	}
	return x
}
