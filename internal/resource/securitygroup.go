package resource

import (
	"cmp"
	"slices"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Security group rule protocols as policies see them. EC2 and Terraform
// accept names and IANA numbers; both planes map them to these.
const (
	ProtocolAll    = "-1"
	ProtocolTCP    = "tcp"
	ProtocolUDP    = "udp"
	ProtocolICMP   = "icmp"
	ProtocolICMPv6 = "icmpv6"
)

// Port bounds given to an all-traffic rule. EC2 reports -1/-1 and Terraform
// 0/0 for protocol -1; policies get the full range instead, so that "does the
// range cover port p" needs no special case and both planes agree.
const (
	AllPortsFrom = 0
	AllPortsTo   = 65535
)

// FromSecurityGroup normalizes a security group read live from EC2.
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
// rules should come from DescribeSecurityGroupRules (filter group-id), which
// carries the rule IDs a remediation revokes by. When rules is nil the rules
// are derived from sg.IpPermissions and sg.IpPermissionsEgress instead,
// without rule IDs (the same shape as the plan plane). Rules of other groups
// are ignored.
func FromSecurityGroup(account, region string, sg ec2types.SecurityGroup, rules []ec2types.SecurityGroupRule) Resource {
	groupID := awsValue(sg.GroupId)
	props := map[string]any{"group_id": groupID}
	putKnown(props, "group_name", sg.GroupName)
	putKnown(props, "vpc_id", sg.VpcId)
	putKnown(props, "description", sg.Description)

	var ingress, egress []map[string]any
	if rules == nil {
		ingress = permissionRules(sg.IpPermissions)
		egress = permissionRules(sg.IpPermissionsEgress)
	} else {
		for _, r := range rules {
			if r.GroupId != nil && *r.GroupId != groupID {
				continue
			}
			if awsValue(r.IsEgress) {
				egress = append(egress, securityGroupRule(r))
			} else {
				ingress = append(ingress, securityGroupRule(r))
			}
		}
	}
	props["ingress"] = sortedRules(ingress)
	props["egress"] = sortedRules(egress)

	arn := awsValue(sg.SecurityGroupArn)
	if arn == "" {
		arn = SecurityGroupARN(account, region, groupID)
	}
	return Resource{
		Type:       TypeSecurityGroup,
		ARN:        arn,
		ID:         groupID,
		Name:       awsValue(sg.GroupName),
		Account:    account,
		Region:     region,
		Tags:       ec2Tags(sg.Tags),
		Plane:      PlaneLive,
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
	proto := NormalizeProtocol(*protocol)
	rule["protocol"] = proto
	if proto == ProtocolAll {
		rule["from_port"], rule["to_port"] = AllPortsFrom, AllPortsTo
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

// NormalizeProtocol maps an EC2 or Terraform protocol to the policy
// vocabulary: lower-case names for TCP, UDP, ICMP and ICMPv6, "-1" for all
// traffic, and the IANA number as a string for anything else.
func NormalizeProtocol(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "-1", "all":
		return ProtocolAll
	case "6":
		return ProtocolTCP
	case "17":
		return ProtocolUDP
	case "1":
		return ProtocolICMP
	case "58":
		return ProtocolICMPv6
	}
	return p
}

// sortedRules orders rules by content, not by rule ID, because the plan
// plane has no IDs and both planes must produce the same document.
func sortedRules(rules []map[string]any) []any {
	slices.SortStableFunc(rules, func(a, b map[string]any) int {
		return cmp.Or(
			cmp.Compare(ruleString(a, "protocol"), ruleString(b, "protocol")),
			cmp.Compare(rulePort(a, "from_port"), rulePort(b, "from_port")),
			cmp.Compare(rulePort(a, "to_port"), rulePort(b, "to_port")),
			comparePeers(a, b),
			cmp.Compare(ruleString(a, "description"), ruleString(b, "description")),
			cmp.Compare(ruleString(a, "rule_id"), ruleString(b, "rule_id")),
		)
	})
	// []any rather than []map[string]any: ast.InterfaceToValue converts it
	// directly instead of falling back to a JSON round trip.
	out := make([]any, len(rules))
	for i, r := range rules {
		out[i] = r
	}
	return out
}

// peerKeys lists the peer kinds in the order rules sort by.
var peerKeys = []string{"cidr_ipv4", "cidr_ipv6", "referenced_group_id", "prefix_list_id"}

func comparePeers(a, b map[string]any) int {
	kind := func(rule map[string]any) (int, string) {
		for i, k := range peerKeys {
			if v, ok := rule[k].(string); ok {
				return i, v
			}
		}
		return -1, "" // peer unknown (plan plane)
	}
	ka, va := kind(a)
	kb, vb := kind(b)
	return cmp.Or(cmp.Compare(ka, kb), cmp.Compare(va, vb))
}

func ruleString(rule map[string]any, key string) string {
	s, _ := rule[key].(string)
	return s
}

// rulePort sorts unknown ports before every real one (-1 included).
func rulePort(rule map[string]any, key string) int {
	if p, ok := rule[key].(int); ok {
		return p
	}
	return -2
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
