package ec2

import (
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// SecurityGroup normalizes a security group read live from EC2.
//
// properties:
//
//	{"group_id", "group_name", "vpc_id", "description",
//	 "ingress": [rule...], "egress": [rule...]}
//
// Each rule names one peer: {"rule_id", "protocol", "from_port", "to_port",
// "cidr_ipv4" | "cidr_ipv6" | "referenced_group_id" | "prefix_list_id",
// "description"}, and only keys with known values are present.
//
// rules come from DescribeSecurityGroupRules (filter group-id), which carries
// the rule IDs a remediation revokes by; sg.IpPermissions is not read, and
// nil rules mean the group has none. Rules of other groups are ignored.
func SecurityGroupResource(account, region string, sg ec2types.SecurityGroup, rules []ec2types.SecurityGroupRule) resource.Resource {
	var ingress, egress []map[string]any
	for _, r := range rules {
		if r.GroupId != nil && *r.GroupId != awsValue(sg.GroupId) {
			continue
		}
		if awsValue(r.IsEgress) {
			egress = append(egress, securityGroupRule(r))
		} else {
			ingress = append(ingress, securityGroupRule(r))
		}
	}
	return securityGroupResource(account, region, sg, ingress, egress)
}

// SecurityGroupPermissions normalizes a group from its IpPermissions
// alone, for sources that carry no rule IDs (a Config item, a
// DescribeSecurityGroups answer without the rules call). Each permission
// becomes one rule per peer and rule_id stays absent, as in the plan plane;
// policies still judge the rules, but a remediation that revokes by rule ID
// gets none.
func SecurityGroupPermissions(account, region string, sg ec2types.SecurityGroup) resource.Resource {
	return securityGroupResource(account, region, sg, permissionRules(sg.IpPermissions), permissionRules(sg.IpPermissionsEgress))
}

func securityGroupResource(account, region string, sg ec2types.SecurityGroup, ingress, egress []map[string]any) resource.Resource {
	groupID := awsValue(sg.GroupId)
	props := map[string]any{"group_id": groupID}
	putKnown(props, "group_name", sg.GroupName)
	putKnown(props, "vpc_id", sg.VpcId)
	putKnown(props, "description", sg.Description)
	props["ingress"] = resource.SortRules(ingress)
	props["egress"] = resource.SortRules(egress)

	return resource.Resource{
		Type: TypeSecurityGroup,
		// Built, not taken from sg.SecurityGroupArn: events build the ARN the
		// same way, and workflow IDs depend on it being the same string.
		ARN:        SecurityGroupARN(account, region, groupID),
		ID:         groupID,
		Name:       awsValue(sg.GroupName),
		Account:    account,
		Region:     region,
		Tags:       ec2Tags(sg.Tags),
		Plane:      resource.PlaneLive,
		Properties: props,
	}
}

func securityGroupRule(r ec2types.SecurityGroupRule) map[string]any {
	rule := portsAndProtocol(r.IpProtocol, r.FromPort, r.ToPort)
	putKnown(rule, "rule_id", r.SecurityGroupRuleId)
	putKnown(rule, "cidr_ipv4", r.CidrIpv4)
	putKnown(rule, "cidr_ipv6", r.CidrIpv6)
	putKnown(rule, "prefix_list_id", r.PrefixListId)
	if r.ReferencedGroupInfo != nil {
		putKnown(rule, "referenced_group_id", r.ReferencedGroupInfo.GroupId)
	}
	putKnown(rule, "description", r.Description)
	return rule
}

// permissionRules splits each IpPermission into one rule per peer, which is
// how DescribeSecurityGroupRules and aws_vpc_security_group_ingress_rule see
// them.
func permissionRules(perms []ec2types.IpPermission) []map[string]any {
	var out []map[string]any
	add := func(p ec2types.IpPermission, key string, peer, desc *string) {
		rule := portsAndProtocol(p.IpProtocol, p.FromPort, p.ToPort)
		putKnown(rule, key, peer)
		putKnown(rule, "description", desc)
		out = append(out, rule)
	}
	for _, p := range perms {
		for _, r := range p.IpRanges {
			add(p, "cidr_ipv4", r.CidrIp, r.Description)
		}
		for _, r := range p.Ipv6Ranges {
			add(p, "cidr_ipv6", r.CidrIpv6, r.Description)
		}
		for _, r := range p.UserIdGroupPairs {
			add(p, "referenced_group_id", r.GroupId, r.Description)
		}
		for _, r := range p.PrefixListIds {
			add(p, "prefix_list_id", r.PrefixListId, r.Description)
		}
	}
	return out
}

func portsAndProtocol(protocol *string, from, to *int32) map[string]any {
	rule := map[string]any{}
	if protocol == nil {
		return rule
	}
	proto := resource.NormalizeProtocol(*protocol)
	rule["protocol"] = proto
	if proto == resource.ProtocolAll {
		rule["from_port"], rule["to_port"] = resource.AllPortsFrom, resource.AllPortsTo
		return rule
	}
	// ICMP keeps type and code here, -1 meaning all, as EC2 reports them.
	if from != nil {
		rule["from_port"] = int(*from)
	}
	if to != nil {
		rule["to_port"] = int(*to)
	}
	return rule
}

func ec2Tags(tags []ec2types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key != nil {
			out[*t.Key] = awsValue(t.Value)
		}
	}
	return out
}

// putKnown sets key only when the value is known: absent means unknown in
// the resource model, and an empty string is not a value EC2 reports.
func putKnown(m map[string]any, key string, v *string) {
	if v != nil && *v != "" {
		m[key] = *v
	}
}

// awsValue reads an optional SDK field, the zero value when it is unset.
func awsValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
