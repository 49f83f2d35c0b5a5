package ec2

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/rectifyhq/rectify/internal/resource"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func sgRule(id string, egress bool, proto string, from, to int32) ec2types.SecurityGroupRule {
	return ec2types.SecurityGroupRule{
		SecurityGroupRuleId: aws.String(id),
		GroupId:             aws.String("sg-1"),
		IsEgress:            aws.Bool(egress),
		IpProtocol:          aws.String(proto),
		FromPort:            aws.Int32(from),
		ToPort:              aws.Int32(to),
	}
}

func withCIDR4(r ec2types.SecurityGroupRule, cidr string) ec2types.SecurityGroupRule {
	r.CidrIpv4 = aws.String(cidr)
	return r
}

func TestSecurityGroup(t *testing.T) {
	group := ec2types.SecurityGroup{
		GroupId:     aws.String("sg-1"),
		GroupName:   aws.String("web"),
		VpcId:       aws.String("vpc-1"),
		Description: aws.String("web tier"),
		Tags:        []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("empty")}},
	}

	tests := []struct {
		name        string
		sg          ec2types.SecurityGroup
		rules       []ec2types.SecurityGroupRule
		permissions bool // normalize with FromSecurityGroupPermissions
		wantIngress []any
		wantEgress  []any
	}{
		{
			name: "protocols, peers and sorting",
			sg:   group,
			rules: []ec2types.SecurityGroupRule{
				withCIDR4(sgRule("sgr-c", false, "TCP", 443, 443), "0.0.0.0/0"),
				func() ec2types.SecurityGroupRule {
					r := sgRule("sgr-b", false, "6", 22, 22)
					r.CidrIpv6 = aws.String("::/0")
					r.Description = aws.String("ssh")
					return r
				}(),
				func() ec2types.SecurityGroupRule {
					r := sgRule("sgr-a", false, "17", 53, 53)
					r.ReferencedGroupInfo = &ec2types.ReferencedSecurityGroup{GroupId: aws.String("sg-2"), UserId: aws.String("123")}
					return r
				}(),
				func() ec2types.SecurityGroupRule {
					r := sgRule("sgr-d", false, "tcp", 22, 22)
					r.PrefixListId = aws.String("pl-1")
					r.Description = aws.String("") // EC2 returns "" for no description
					return r
				}(),
				withCIDR4(sgRule("sgr-e", false, "1", 8, -1), "10.0.0.0/8"),
				withCIDR4(sgRule("sgr-f", true, "-1", -1, -1), "0.0.0.0/0"),
			},
			wantIngress: []any{
				map[string]any{"rule_id": "sgr-e", "protocol": "icmp", "from_port": 8, "to_port": -1, "cidr_ipv4": "10.0.0.0/8"},
				map[string]any{"rule_id": "sgr-b", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv6": "::/0", "description": "ssh"},
				map[string]any{"rule_id": "sgr-d", "protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_id": "pl-1"},
				map[string]any{"rule_id": "sgr-c", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"},
				map[string]any{"rule_id": "sgr-a", "protocol": "udp", "from_port": 53, "to_port": 53, "referenced_group_id": "sg-2"},
			},
			wantEgress: []any{
				map[string]any{"rule_id": "sgr-f", "protocol": "-1", "from_port": resource.AllPortsFrom, "to_port": resource.AllPortsTo, "cidr_ipv4": "0.0.0.0/0"},
			},
		},
		{
			name: "rules of another group are ignored",
			sg:   group,
			rules: []ec2types.SecurityGroupRule{
				func() ec2types.SecurityGroupRule {
					r := withCIDR4(sgRule("sgr-x", false, "tcp", 22, 22), "0.0.0.0/0")
					r.GroupId = aws.String("sg-other")
					return r
				}(),
			},
			wantIngress: []any{},
			wantEgress:  []any{},
		},
		{
			name: "unknown protocol and ports stay absent",
			sg:   group,
			rules: []ec2types.SecurityGroupRule{{
				SecurityGroupRuleId: aws.String("sgr-u"), CidrIpv4: aws.String("0.0.0.0/0"),
			}},
			wantIngress: []any{map[string]any{"rule_id": "sgr-u", "cidr_ipv4": "0.0.0.0/0"}},
			wantEgress:  []any{},
		},
		{
			name:        "IpPermissions, one rule per peer",
			permissions: true,
			sg: func() ec2types.SecurityGroup {
				g := group
				g.IpPermissions = []ec2types.IpPermission{{
					IpProtocol: aws.String("tcp"), FromPort: aws.Int32(20), ToPort: aws.Int32(25),
					IpRanges:         []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("ftp+ssh")}},
					Ipv6Ranges:       []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
					UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-2")}},
					PrefixListIds:    []ec2types.PrefixListId{{PrefixListId: aws.String("pl-1")}},
				}}
				g.IpPermissionsEgress = []ec2types.IpPermission{{
					IpProtocol: aws.String("-1"),
					IpRanges:   []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
				}}
				return g
			}(),
			wantIngress: []any{
				map[string]any{"protocol": "tcp", "from_port": 20, "to_port": 25, "cidr_ipv4": "0.0.0.0/0", "description": "ftp+ssh"},
				map[string]any{"protocol": "tcp", "from_port": 20, "to_port": 25, "cidr_ipv6": "::/0"},
				map[string]any{"protocol": "tcp", "from_port": 20, "to_port": 25, "referenced_group_id": "sg-2"},
				map[string]any{"protocol": "tcp", "from_port": 20, "to_port": 25, "prefix_list_id": "pl-1"},
			},
			wantEgress: []any{
				map[string]any{"protocol": "-1", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SecurityGroupResource("123456789012", "eu-west-1", tt.sg, tt.rules)
			if tt.permissions {
				got = SecurityGroupPermissions("123456789012", "eu-west-1", tt.sg)
			}
			if got.Type != TypeSecurityGroup || got.ID != "sg-1" || got.Name != "web" || got.Plane != resource.PlaneLive ||
				got.ARN != "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1" || got.Address != nil ||
				got.Account != "123456789012" || got.Region != "eu-west-1" {
				t.Errorf("identity = %+v", got)
			}
			if want := map[string]string{"env": "prod", "empty": ""}; !reflect.DeepEqual(got.Tags, want) {
				t.Errorf("tags = %v, want %v", got.Tags, want)
			}
			p := got.Properties
			if p["group_id"] != "sg-1" || p["group_name"] != "web" || p["vpc_id"] != "vpc-1" || p["description"] != "web tier" {
				t.Errorf("group properties = %v", p)
			}
			if !reflect.DeepEqual(p["ingress"], tt.wantIngress) {
				t.Errorf("ingress =\n%v\nwant\n%v", p["ingress"], tt.wantIngress)
			}
			if !reflect.DeepEqual(p["egress"], tt.wantEgress) {
				t.Errorf("egress =\n%v\nwant\n%v", p["egress"], tt.wantEgress)
			}
			// The document must serialize: it travels in activity results.
			if _, err := json.Marshal(got); err != nil {
				t.Errorf("marshal: %v", err)
			}
		})
	}
}

func TestFromSecurityGroupMinimal(t *testing.T) {
	// A group that reports almost nothing: no rules, no tags, no VPC. The rule
	// list from a paginator that found nothing is nil.
	sg := ec2types.SecurityGroup{
		GroupId: aws.String("sg-1"),
		// The API's own ARN is ignored in favour of the one events build.
		SecurityGroupArn: aws.String("arn:aws:ec2:us-east-1:123456789012:security-group/sg-1"),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("-1"),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	}
	got := SecurityGroupResource("123456789012", "eu-west-1", sg, nil)
	if want := SecurityGroupARN("123456789012", "eu-west-1", "sg-1"); got.ARN != want {
		t.Errorf("ARN = %s, want %s", got.ARN, want)
	}
	if got.Tags == nil || len(got.Tags) != 0 {
		t.Errorf("tags = %#v, want an empty, non-nil map (no tags is known)", got.Tags)
	}
	if _, ok := got.Properties["vpc_id"]; ok {
		t.Errorf("vpc_id present although EC2 did not report it: %v", got.Properties)
	}
	// nil rules mean none: IpPermissions are not mixed in behind the caller's back.
	if in := got.Properties["ingress"]; !reflect.DeepEqual(in, []any{}) {
		t.Errorf("ingress = %v, want none", in)
	}
}
