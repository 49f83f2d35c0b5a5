package fakecloud

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// newEC2 starts a fake cloud and returns an EC2 client of its admin user.
func newEC2(t *testing.T) (*Cloud, *ec2.Client) {
	t.Helper()
	c, cfg := startCloud(t)
	return c, ec2.NewFromConfig(cfg)
}

// wantEC2Error checks that err is the AWS error code, as the SDK reports it.
func wantEC2Error(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s (%s)", code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

// okEC2 unwraps a call that must succeed: okEC2(client.X(ctx, in))(t).
func okEC2[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

func ec2CreateGroup(t *testing.T, client *ec2.Client, name string) string {
	t.Helper()
	out := okEC2(client.CreateSecurityGroup(t.Context(), &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String(name + " group"),
	}))(t)
	return aws.ToString(out.GroupId)
}

func ec2DescribeGroup(t *testing.T, client *ec2.Client, id string) types.SecurityGroup {
	t.Helper()
	out := okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}}))(t)
	if len(out.SecurityGroups) != 1 {
		t.Fatalf("describe %s: got %d groups", id, len(out.SecurityGroups))
	}
	return out.SecurityGroups[0]
}

// ec2GroupRules lists a group's rules through DescribeSecurityGroupRules.
func ec2GroupRules(t *testing.T, client *ec2.Client, id string) []types.SecurityGroupRule {
	t.Helper()
	out := okEC2(client.DescribeSecurityGroupRules(t.Context(), &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{id}}},
	}))(t)
	return out.SecurityGroupRules
}

func ec2SSHFromAnywhere() types.IpPermission {
	return types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
	}
}

func ec2TCPFrom(port int32, cidrs ...string) types.IpPermission {
	p := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	for _, c := range cidrs {
		p.IpRanges = append(p.IpRanges, types.IpRange{CidrIp: aws.String(c)})
	}
	return p
}

func TestEC2SecurityGroupLifecycle(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()

	created := okEC2(client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String("web"),
		Description: aws.String("web servers"),
		TagSpecifications: []types.TagSpecification{{
			ResourceType: types.ResourceTypeSecurityGroup,
			Tags:         []types.Tag{{Key: aws.String("Env"), Value: aws.String("prod")}},
		}},
	}))(t)
	id := aws.ToString(created.GroupId)
	if !strings.HasPrefix(id, "sg-") || len(id) != len("sg-")+17 {
		t.Fatalf("group id %q: want sg- and 17 hex digits", id)
	}
	wantARN := "arn:aws:ec2:" + DefaultRegion + ":" + DefaultAccount + ":security-group/" + id
	if aws.ToString(created.SecurityGroupArn) != wantARN || len(created.Tags) != 1 {
		t.Fatalf("create output: arn %q tags %v", aws.ToString(created.SecurityGroupArn), created.Tags)
	}

	g := ec2DescribeGroup(t, client, id)
	if aws.ToString(g.GroupName) != "web" || aws.ToString(g.Description) != "web servers" ||
		aws.ToString(g.VpcId) != DefaultVPCID || aws.ToString(g.OwnerId) != DefaultAccount ||
		aws.ToString(g.SecurityGroupArn) != wantARN {
		t.Fatalf("described group: %+v", g)
	}
	if len(g.IpPermissions) != 0 {
		t.Fatalf("new group has ingress: %+v", g.IpPermissions)
	}
	// AWS gives every new VPC group one egress rule: all traffic anywhere.
	if len(g.IpPermissionsEgress) != 1 {
		t.Fatalf("want the default egress rule, got %+v", g.IpPermissionsEgress)
	}
	egress := g.IpPermissionsEgress[0]
	if aws.ToString(egress.IpProtocol) != "-1" || egress.FromPort != nil || egress.ToPort != nil ||
		len(egress.IpRanges) != 1 || aws.ToString(egress.IpRanges[0].CidrIp) != "0.0.0.0/0" {
		t.Fatalf("default egress rule: %+v", egress)
	}
	if len(g.Tags) != 1 || aws.ToString(g.Tags[0].Key) != "Env" || aws.ToString(g.Tags[0].Value) != "prod" {
		t.Fatalf("tags: %+v", g.Tags)
	}
	rules := ec2GroupRules(t, client, id)
	if len(rules) != 1 || !aws.ToBool(rules[0].IsEgress) || aws.ToInt32(rules[0].FromPort) != -1 || aws.ToInt32(rules[0].ToPort) != -1 {
		t.Fatalf("default egress as a rule: %+v", rules)
	}

	byName := okEC2(client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"web"}}))(t)
	if len(byName.SecurityGroups) != 1 || aws.ToString(byName.SecurityGroups[0].GroupId) != id {
		t.Fatalf("describe by name: %+v", byName.SecurityGroups)
	}

	okEC2(client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)}))(t)
	_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	wantEC2Error(t, err, "InvalidGroup.NotFound")
	_, err = client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
	wantEC2Error(t, err, "InvalidGroup.NotFound")
	if rules := ec2GroupRules(t, client, id); len(rules) != 0 {
		t.Fatalf("rules of a deleted group remain: %+v", rules)
	}

	// By name, in the default VPC.
	ec2CreateGroup(t, client, "by-name")
	okEC2(client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("by-name")}))(t)
	_, err = client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("by-name")})
	wantEC2Error(t, err, "InvalidGroup.NotFound")
}

func TestEC2SecurityGroupErrors(t *testing.T) {
	_, client := newEC2(t)
	existing := ec2CreateGroup(t, client, "taken")

	cases := []struct {
		name string
		call func(ctx context.Context) error
		code string
	}{
		{"duplicate name", func(ctx context.Context) error {
			_, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("TAKEN"), Description: aws.String("d")})
			return err
		}, "InvalidGroup.Duplicate"},
		{"missing description", func(ctx context.Context) error {
			_, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("")})
			return err
		}, "MissingParameter"},
		{"sg- name", func(ctx context.Context) error {
			_, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("sg-1"), Description: aws.String("d")})
			return err
		}, "InvalidParameterValue"},
		{"unknown vpc", func(ctx context.Context) error {
			_, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("d"), VpcId: aws.String("vpc-nope")})
			return err
		}, "InvalidVpcID.NotFound"},
		{"tag spec for another resource type", func(ctx context.Context) error {
			_, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("d"),
				TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}})
			return err
		}, "InvalidParameterValue"},
		{"reserved tag key", func(ctx context.Context) error {
			_, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("d"),
				TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup, Tags: []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("v")}}}}})
			return err
		}, "InvalidParameterValue"},
		{"describe unknown id", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{existing, "sg-0123456789abcdef0"}})
			return err
		}, "InvalidGroup.NotFound"},
		{"describe malformed id", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"web"}})
			return err
		}, "InvalidGroupId.Malformed"},
		{"describe unknown name", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"nope"}})
			return err
		}, "InvalidGroup.NotFound"},
		{"unknown filter", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{{Name: aws.String("colour"), Values: []string{"red"}}}})
			return err
		}, "InvalidParameterValue"},
		{"max results with ids", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{existing}, MaxResults: aws.Int32(5)})
			return err
		}, "InvalidParameterCombination"},
		{"max results too small", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(4)})
			return err
		}, "InvalidParameterValue"},
		{"bad next token", func(ctx context.Context) error {
			_, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5), NextToken: aws.String("not-a-token")})
			return err
		}, "InvalidPaginationToken"},
		{"delete without id or name", func(ctx context.Context) error {
			_, err := client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{})
			return err
		}, "MissingParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantEC2Error(t, tc.call(t.Context()), tc.code)
		})
	}
}

func TestEC2DeleteReferencedGroup(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()
	app, db := ec2CreateGroup(t, client, "app"), ec2CreateGroup(t, client, "db")
	okEC2(client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(db),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(app)}}}},
	}))(t)
	_, err := client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(app)})
	wantEC2Error(t, err, "DependencyViolation")
	okEC2(client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(db)}))(t)
	okEC2(client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(app)}))(t)
}

func TestEC2DescribeSecurityGroupsFilters(t *testing.T) {
	c, client := newEC2(t)
	web := ec2CreateGroup(t, client, "web-a")
	ec2CreateGroup(t, client, "web-b")
	db := ec2CreateGroup(t, client, "db")
	okEC2(client.CreateTags(t.Context(), &ec2.CreateTagsInput{Resources: []string{db}, Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("data")}}}))(t)
	other, err := c.SeedSecurityGroup(DefaultAccount, SecurityGroupSeed{GroupName: "web-a", VpcID: "vpc-0other", Description: "same name, other VPC"})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"group-name wildcard", []types.Filter{{Name: aws.String("group-name"), Values: []string{"web-*"}}}, nil},
		{"group-name exact in default vpc", []types.Filter{
			{Name: aws.String("group-name"), Values: []string{"web-a"}},
			{Name: aws.String("vpc-id"), Values: []string{DefaultVPCID}},
		}, []string{web}},
		{"vpc-id", []types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-0other"}}}, []string{other}},
		{"group-id, any of values", []types.Filter{{Name: aws.String("group-id"), Values: []string{web, db}}}, []string{web, db}},
		{"tag:KEY", []types.Filter{{Name: aws.String("tag:tier"), Values: []string{"da?a"}}}, []string{db}},
		{"tag-key", []types.Filter{{Name: aws.String("tag-key"), Values: []string{"tier"}}}, []string{db}},
		{"no match", []types.Filter{{Name: aws.String("group-name"), Values: []string{"cache"}}}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{Filters: tc.filters}))(t)
			var got []string
			for _, g := range out.SecurityGroups {
				got = append(got, aws.ToString(g.GroupId))
			}
			if tc.want == nil { // web-*: three groups
				if len(got) != 3 {
					t.Fatalf("got %v, want the three web-* groups", got)
				}
				return
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestEC2DescribeSecurityGroupsPaginates(t *testing.T) {
	_, client := newEC2(t)
	var want []string
	for i := range 12 {
		want = append(want, ec2CreateGroup(t, client, "g"+string(rune('a'+i))))
	}
	pager := ec2.NewDescribeSecurityGroupsPaginator(client, &ec2.DescribeSecurityGroupsInput{},
		func(o *ec2.DescribeSecurityGroupsPaginatorOptions) { o.Limit = 5 })
	var got []string
	var sizes []int
	for pager.HasMorePages() {
		page := okEC2(pager.NextPage(t.Context()))(t)
		sizes = append(sizes, len(page.SecurityGroups))
		for _, g := range page.SecurityGroups {
			got = append(got, aws.ToString(g.GroupId))
		}
	}
	if !slices.Equal(sizes, []int{5, 5, 2}) {
		t.Fatalf("page sizes %v, want [5 5 2]", sizes)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("paged ids %v, want %v", got, want)
	}
}

func TestEC2AuthorizeIngress(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()
	id, app := ec2CreateGroup(t, client, "web"), ec2CreateGroup(t, client, "app")

	out := okEC2(client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(id),
		IpPermissions: []types.IpPermission{
			{
				IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
				IpRanges: []types.IpRange{
					{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("public https")},
					{CidrIp: aws.String("10.0.0.0/8")},
				},
				Ipv6Ranges:    []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
				PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-0123456789abcdef0")}},
			},
			{
				IpProtocol: aws.String("6"), FromPort: aws.Int32(8080), ToPort: aws.Int32(8081),
				UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(app), Description: aws.String("from app")}},
			},
		},
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroupRule,
			Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("team-a")}}}},
	}))(t)
	if !aws.ToBool(out.Return) || len(out.SecurityGroupRules) != 5 {
		t.Fatalf("authorize: return %v, %d rules", aws.ToBool(out.Return), len(out.SecurityGroupRules))
	}
	for _, r := range out.SecurityGroupRules {
		if id := aws.ToString(r.SecurityGroupRuleId); !strings.HasPrefix(id, "sgr-") || len(id) != len("sgr-")+17 {
			t.Errorf("rule id %q: want sgr- and 17 hex digits", id)
		}
		if aws.ToString(r.GroupId) != id || aws.ToString(r.GroupOwnerId) != DefaultAccount || aws.ToBool(r.IsEgress) || len(r.Tags) != 1 {
			t.Errorf("rule %+v", r)
		}
	}
	ref := out.SecurityGroupRules[4]
	if aws.ToString(ref.IpProtocol) != "tcp" || aws.ToInt32(ref.FromPort) != 8080 || aws.ToInt32(ref.ToPort) != 8081 ||
		ref.ReferencedGroupInfo == nil || aws.ToString(ref.ReferencedGroupInfo.GroupId) != app ||
		aws.ToString(ref.ReferencedGroupInfo.UserId) != DefaultAccount || aws.ToString(ref.Description) != "from app" {
		t.Fatalf("group-referencing rule: %+v", ref)
	}

	// The IpPermission view groups rules by protocol and ports.
	g := ec2DescribeGroup(t, client, id)
	if len(g.IpPermissions) != 2 {
		t.Fatalf("want 2 IpPermissions, got %+v", g.IpPermissions)
	}
	https := g.IpPermissions[0]
	if aws.ToString(https.IpProtocol) != "tcp" || aws.ToInt32(https.FromPort) != 443 || aws.ToInt32(https.ToPort) != 443 ||
		len(https.IpRanges) != 2 || len(https.Ipv6Ranges) != 1 || len(https.PrefixListIds) != 1 || len(https.UserIdGroupPairs) != 0 ||
		aws.ToString(https.IpRanges[0].Description) != "public https" || aws.ToString(https.IpRanges[1].CidrIp) != "10.0.0.0/8" {
		t.Fatalf("https permission: %+v", https)
	}
	pairs := g.IpPermissions[1].UserIdGroupPairs
	if len(pairs) != 1 || aws.ToString(pairs[0].GroupId) != app || aws.ToString(pairs[0].UserId) != DefaultAccount {
		t.Fatalf("group pair: %+v", pairs)
	}

	rules := ec2GroupRules(t, client, id)
	if len(rules) != 6 { // five ingress and the default egress
		t.Fatalf("want 6 rules, got %d", len(rules))
	}
	var v6, pl int
	for _, r := range rules {
		if aws.ToString(r.CidrIpv6) == "::/0" {
			v6++
		}
		if aws.ToString(r.PrefixListId) == "pl-0123456789abcdef0" {
			pl++
		}
		wantARN := "arn:aws:ec2:" + DefaultRegion + ":" + DefaultAccount + ":security-group-rule/" + aws.ToString(r.SecurityGroupRuleId)
		if aws.ToString(r.SecurityGroupRuleArn) != wantARN || r.Tags == nil {
			t.Errorf("rule arn %q, tags %v", aws.ToString(r.SecurityGroupRuleArn), r.Tags)
		}
	}
	if v6 != 1 || pl != 1 {
		t.Fatalf("ipv6 rules %d, prefix list rules %d", v6, pl)
	}
}

func TestEC2AuthorizeLegacyIngressParameters(t *testing.T) {
	_, client := newEC2(t)
	id := ec2CreateGroup(t, client, "legacy")
	out := okEC2(client.AuthorizeSecurityGroupIngress(t.Context(), &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(id), CidrIp: aws.String("198.51.100.0/24"),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389),
	}))(t)
	if len(out.SecurityGroupRules) != 1 || aws.ToString(out.SecurityGroupRules[0].CidrIpv4) != "198.51.100.0/24" ||
		aws.ToInt32(out.SecurityGroupRules[0].FromPort) != 3389 {
		t.Fatalf("legacy authorize: %+v", out.SecurityGroupRules)
	}
	// By GroupName, which names a group in the default VPC.
	okEC2(client.AuthorizeSecurityGroupIngress(t.Context(), &ec2.AuthorizeSecurityGroupIngressInput{
		GroupName: aws.String("legacy"), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()},
	}))(t)
	if n := len(ec2DescribeGroup(t, client, id).IpPermissions); n != 2 {
		t.Fatalf("want 2 ingress permissions, got %d", n)
	}
}

func TestEC2AuthorizeEgress(t *testing.T) {
	_, client := newEC2(t)
	id := ec2CreateGroup(t, client, "out")
	out := okEC2(client.AuthorizeSecurityGroupEgress(t.Context(), &ec2.AuthorizeSecurityGroupEgressInput{
		GroupId: aws.String(id),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("udp"), FromPort: aws.Int32(53), ToPort: aws.Int32(53),
			IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.2/32")}}}},
	}))(t)
	if len(out.SecurityGroupRules) != 1 || !aws.ToBool(out.SecurityGroupRules[0].IsEgress) {
		t.Fatalf("egress rules: %+v", out.SecurityGroupRules)
	}
	if n := len(ec2DescribeGroup(t, client, id).IpPermissionsEgress); n != 2 {
		t.Fatalf("want default and DNS egress, got %d permissions", n)
	}
	// The default egress rule exists, so authorizing it again is a duplicate.
	_, err := client.AuthorizeSecurityGroupEgress(t.Context(), &ec2.AuthorizeSecurityGroupEgressInput{
		GroupId:       aws.String(id),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	})
	wantEC2Error(t, err, "InvalidPermission.Duplicate")
}

func TestEC2AuthorizeErrors(t *testing.T) {
	_, client := newEC2(t)
	id := ec2CreateGroup(t, client, "web")
	okEC2(client.AuthorizeSecurityGroupIngress(t.Context(), &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(id), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()},
	}))(t)
	ingress := func(perms ...types.IpPermission) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
			return err
		}
	}
	described := func(p types.IpPermission) types.IpPermission {
		p.IpRanges[0].Description = aws.String("a description does not make a rule new")
		return p
	}

	cases := []struct {
		name string
		call func(context.Context) error
		code string
	}{
		{"existing rule", ingress(ec2SSHFromAnywhere()), "InvalidPermission.Duplicate"},
		{"existing rule with a new peer beside it", ingress(ec2TCPFrom(22, "10.1.0.0/16", "0.0.0.0/0")), "InvalidPermission.Duplicate"},
		{"existing rule, other description", ingress(described(ec2SSHFromAnywhere())), "InvalidPermission.Duplicate"},
		{"same rule twice in one request", ingress(ec2TCPFrom(80, "10.0.0.0/8"), ec2TCPFrom(80, "10.0.0.0/8")), "InvalidPermission.Duplicate"},
		{"unknown group", func(ctx context.Context) error {
			_, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String("sg-0123456789abcdef0"), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()}})
			return err
		}, "InvalidGroup.NotFound"},
		{"unknown referenced group", ingress(types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(1), ToPort: aws.Int32(2),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-0123456789abcdef0")}}}), "InvalidGroup.NotFound"},
		{"malformed cidr", ingress(ec2TCPFrom(22, "10.0.0.0/33")), "InvalidParameterValue"},
		{"ipv6 cidr as ipv4", ingress(ec2TCPFrom(22, "::/0")), "InvalidParameterValue"},
		{"tcp without ports", ingress(types.IpPermission{IpProtocol: aws.String("tcp"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}), "InvalidParameterValue"},
		{"reversed ports", ingress(types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(90), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}), "InvalidParameterValue"},
		{"unknown protocol", ingress(types.IpPermission{IpProtocol: aws.String("carrier-pigeon"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}), "InvalidParameterValue"},
		{"no peer", ingress(types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(1), ToPort: aws.Int32(2)}), "MissingParameter"},
		{"malformed prefix list", ingress(types.IpPermission{IpProtocol: aws.String("-1"), PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("list-1")}}}), "InvalidPrefixListId.Malformed"},
		{"no permissions", ingress(), "MissingParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantEC2Error(t, tc.call(t.Context()), tc.code)
			// A failed authorize adds nothing, not even its valid rules.
			if n := len(ec2GroupRules(t, client, id)); n != 2 {
				t.Fatalf("after a failed authorize the group has %d rules, want 2", n)
			}
		})
	}
}

func TestEC2Revoke(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()
	id := ec2CreateGroup(t, client, "web")
	added := okEC2(client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId:       aws.String(id),
		IpPermissions: []types.IpPermission{ec2TCPFrom(22, "0.0.0.0/0", "10.0.0.0/8"), ec2TCPFrom(3389, "0.0.0.0/0")},
	}))(t).SecurityGroupRules
	ruleID := func(port int32, cidr string) string {
		for _, r := range added {
			if aws.ToInt32(r.FromPort) == port && aws.ToString(r.CidrIpv4) == cidr {
				return aws.ToString(r.SecurityGroupRuleId)
			}
		}
		t.Fatalf("no rule %d from %s", port, cidr)
		return ""
	}
	egressID := ""
	for _, r := range ec2GroupRules(t, client, id) {
		if aws.ToBool(r.IsEgress) {
			egressID = aws.ToString(r.SecurityGroupRuleId)
		}
	}

	// By rule id.
	rdp := ruleID(3389, "0.0.0.0/0")
	out := okEC2(client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(id), SecurityGroupRuleIds: []string{rdp},
	}))(t)
	if !aws.ToBool(out.Return) || len(out.RevokedSecurityGroupRules) != 1 ||
		aws.ToString(out.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != rdp ||
		aws.ToString(out.RevokedSecurityGroupRules[0].CidrIpv4) != "0.0.0.0/0" ||
		aws.ToInt32(out.RevokedSecurityGroupRules[0].FromPort) != 3389 {
		t.Fatalf("revoke by id: %+v", out)
	}
	_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), SecurityGroupRuleIds: []string{rdp}})
	wantEC2Error(t, err, "InvalidSecurityGroupRuleId.NotFound")

	// By IpPermissions, which must match exactly.
	cases := []struct {
		name string
		perm types.IpPermission
	}{
		{"other port", ec2TCPFrom(23, "0.0.0.0/0")},
		{"wider range", types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(0), ToPort: aws.Int32(65535), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		{"other cidr", ec2TCPFrom(22, "0.0.0.0/1")},
		{"other protocol", types.IpPermission{IpProtocol: aws.String("udp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		{"one of two missing", ec2TCPFrom(22, "0.0.0.0/0", "172.16.0.0/12")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.RevokeSecurityGroupIngress(t.Context(), &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []types.IpPermission{tc.perm}})
			wantEC2Error(t, err, "InvalidPermission.NotFound")
			if n := len(ec2GroupRules(t, client, id)); n != 3 {
				t.Fatalf("a failed revoke changed the group: %d rules, want 3", n)
			}
		})
	}
	out = okEC2(client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(id), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()},
	}))(t)
	if len(out.RevokedSecurityGroupRules) != 1 || aws.ToString(out.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != ruleID(22, "0.0.0.0/0") {
		t.Fatalf("revoke by permission: %+v", out.RevokedSecurityGroupRules)
	}
	g := ec2DescribeGroup(t, client, id)
	if len(g.IpPermissions) != 1 || len(g.IpPermissions[0].IpRanges) != 1 || aws.ToString(g.IpPermissions[0].IpRanges[0].CidrIp) != "10.0.0.0/8" {
		t.Fatalf("after revokes: %+v", g.IpPermissions)
	}

	errCases := []struct {
		name string
		call func(context.Context) error
		code string
	}{
		{"egress rule id through ingress", func(ctx context.Context) error {
			_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), SecurityGroupRuleIds: []string{egressID}})
			return err
		}, "InvalidSecurityGroupRuleId.NotFound"},
		{"malformed rule id", func(ctx context.Context) error {
			_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), SecurityGroupRuleIds: []string{"rule-1"}})
			return err
		}, "InvalidSecurityGroupRuleId.Malformed"},
		{"ids and permissions", func(ctx context.Context) error {
			_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), SecurityGroupRuleIds: []string{egressID}, IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()}})
			return err
		}, "InvalidParameterCombination"},
		{"neither", func(ctx context.Context) error {
			_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id)})
			return err
		}, "MissingParameter"},
		{"unknown group", func(ctx context.Context) error {
			_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String("sg-0123456789abcdef0"), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()}})
			return err
		}, "InvalidGroup.NotFound"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) { wantEC2Error(t, tc.call(t.Context()), tc.code) })
	}

	// Egress, by id: the default egress rule can go like any other.
	okEC2(client.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id), SecurityGroupRuleIds: []string{egressID}}))(t)
	if g := ec2DescribeGroup(t, client, id); len(g.IpPermissionsEgress) != 0 {
		t.Fatalf("egress after revoke: %+v", g.IpPermissionsEgress)
	}
}

func TestEC2RevokeLegacyAndEgressPermissions(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()
	id := ec2CreateGroup(t, client, "legacy")
	okEC2(client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()}}))(t)
	okEC2(client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(id), CidrIp: aws.String("0.0.0.0/0"), IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
	}))(t)
	// Ports are ignored for all-traffic rules, as AWS ignores them.
	okEC2(client.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{
		GroupId: aws.String(id),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), FromPort: aws.Int32(0), ToPort: aws.Int32(0),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	}))(t)
	if rules := ec2GroupRules(t, client, id); len(rules) != 0 {
		t.Fatalf("rules left: %+v", rules)
	}
}

func TestEC2DescribeSecurityGroupRules(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()
	a, b := ec2CreateGroup(t, client, "a"), ec2CreateGroup(t, client, "b")
	var perms []types.IpPermission
	for port := range int32(9) {
		perms = append(perms, ec2TCPFrom(8000+port, "10.0.0.0/8"))
	}
	added := okEC2(client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(a), IpPermissions: perms}))(t).SecurityGroupRules
	first := aws.ToString(added[0].SecurityGroupRuleId)
	okEC2(client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{first}, Tags: []types.Tag{{Key: aws.String("reviewed"), Value: aws.String("yes")}}}))(t)

	// By id.
	out := okEC2(client.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{first}}))(t)
	if len(out.SecurityGroupRules) != 1 || aws.ToString(out.SecurityGroupRules[0].GroupId) != a ||
		len(out.SecurityGroupRules[0].Tags) != 1 || aws.ToInt32(out.SecurityGroupRules[0].FromPort) != 8000 {
		t.Fatalf("by id: %+v", out.SecurityGroupRules)
	}
	_, err := client.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{"sgr-0123456789abcdef0"}})
	wantEC2Error(t, err, "InvalidSecurityGroupRuleId.NotFound")

	filtered := func(name string, values ...string) int {
		out := okEC2(client.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
			Filters: []types.Filter{{Name: aws.String(name), Values: values}},
		}))(t)
		return len(out.SecurityGroupRules)
	}
	if n := filtered("group-id", b); n != 1 {
		t.Fatalf("group b has %d rules, want its default egress", n)
	}
	if n := filtered("security-group-rule-id", first); n != 1 {
		t.Fatalf("security-group-rule-id filter: %d", n)
	}
	if n := filtered("tag:reviewed", "yes"); n != 1 {
		t.Fatalf("tag filter: %d", n)
	}

	// Eleven rules in all (nine ingress, two default egress), five a page.
	pager := ec2.NewDescribeSecurityGroupRulesPaginator(client, &ec2.DescribeSecurityGroupRulesInput{},
		func(o *ec2.DescribeSecurityGroupRulesPaginatorOptions) { o.Limit = 5 })
	seen := map[string]bool{}
	pages := 0
	for pager.HasMorePages() {
		page := okEC2(pager.NextPage(ctx))(t)
		pages++
		for _, r := range page.SecurityGroupRules {
			if seen[aws.ToString(r.SecurityGroupRuleId)] {
				t.Fatalf("rule %s on two pages", aws.ToString(r.SecurityGroupRuleId))
			}
			seen[aws.ToString(r.SecurityGroupRuleId)] = true
		}
	}
	if pages != 3 || len(seen) != 11 {
		t.Fatalf("%d pages, %d rules; want 3 pages, 11 rules", pages, len(seen))
	}
}

func TestEC2Tags(t *testing.T) {
	_, client := newEC2(t)
	ctx := t.Context()
	id := ec2CreateGroup(t, client, "tagged")
	rule := ec2GroupRules(t, client, id)[0]
	ruleID := aws.ToString(rule.SecurityGroupRuleId)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

	okEC2(client.CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{id, ruleID},
		Tags:      []types.Tag{tag("Name", "web"), tag("env", "prod"), tag("team", "")},
	}))(t)
	// CreateTags overwrites a key's value.
	okEC2(client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{tag("env", "staging")}}))(t)

	describe := func(filters ...types.Filter) []types.TagDescription {
		out := okEC2(client.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: filters}))(t)
		return out.Tags
	}
	all := describe()
	if len(all) != 6 {
		t.Fatalf("want 6 tags, got %+v", all)
	}
	groupTags := describe(types.Filter{Name: aws.String("resource-id"), Values: []string{id}})
	if len(groupTags) != 3 || groupTags[0].ResourceType != types.ResourceTypeSecurityGroup ||
		aws.ToString(groupTags[1].Key) != "env" || aws.ToString(groupTags[1].Value) != "staging" {
		t.Fatalf("group tags: %+v", groupTags)
	}
	if ruleTags := describe(types.Filter{Name: aws.String("resource-type"), Values: []string{"security-group-rule"}}); len(ruleTags) != 3 {
		t.Fatalf("rule tags: %+v", ruleTags)
	}
	if byKey := describe(types.Filter{Name: aws.String("key"), Values: []string{"Na*"}}); len(byKey) != 2 {
		t.Fatalf("key filter: %+v", byKey)
	}

	// DeleteTags: a value deletes only on a match, no value deletes the key.
	okEC2(client.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{tag("env", "prod")}}))(t)
	okEC2(client.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{tag("team", "")}}))(t)
	okEC2(client.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("Name")}}}))(t)
	left := ec2DescribeGroup(t, client, id).Tags
	if len(left) != 1 || aws.ToString(left[0].Key) != "env" || aws.ToString(left[0].Value) != "staging" {
		t.Fatalf("tags after deletes: %+v", left)
	}
	// DeleteTags without tags clears the resource.
	okEC2(client.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{ruleID}}))(t)
	if n := len(describe(types.Filter{Name: aws.String("resource-id"), Values: []string{ruleID}})); n != 0 {
		t.Fatalf("rule still has %d tags", n)
	}

	errCases := []struct {
		name string
		call func(context.Context) error
		code string
	}{
		{"unknown group", func(ctx context.Context) error {
			_, err := client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id, "sg-0123456789abcdef0"}, Tags: []types.Tag{tag("k", "v")}})
			return err
		}, "InvalidGroup.NotFound"},
		{"unknown rule", func(ctx context.Context) error {
			_, err := client.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{"sgr-0123456789abcdef0"}})
			return err
		}, "InvalidSecurityGroupRuleId.NotFound"},
		{"other resource type", func(ctx context.Context) error {
			_, err := client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"vol-0123456789abcdef0"}, Tags: []types.Tag{tag("k", "v")}})
			return err
		}, "InvalidID"},
		{"reserved key", func(ctx context.Context) error {
			_, err := client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{tag("aws:cloudformation:stack-name", "v")}})
			return err
		}, "InvalidParameterValue"},
		{"unknown filter", func(ctx context.Context) error {
			_, err := client.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("owner"), Values: []string{"x"}}}})
			return err
		}, "InvalidParameterValue"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) { wantEC2Error(t, tc.call(t.Context()), tc.code) })
	}
	// The failed CreateTags on two resources tagged neither.
	if left := ec2DescribeGroup(t, client, id).Tags; len(left) != 1 {
		t.Fatalf("a failed CreateTags changed tags: %+v", left)
	}
}

func TestEC2DescribeTagsPaginates(t *testing.T) {
	_, client := newEC2(t)
	id := ec2CreateGroup(t, client, "many-tags")
	var tags []types.Tag
	for i := range 12 {
		tags = append(tags, types.Tag{Key: aws.String("k" + string(rune('a'+i))), Value: aws.String("v")})
	}
	okEC2(client.CreateTags(t.Context(), &ec2.CreateTagsInput{Resources: []string{id}, Tags: tags}))(t)
	pager := ec2.NewDescribeTagsPaginator(client, &ec2.DescribeTagsInput{}, func(o *ec2.DescribeTagsPaginatorOptions) { o.Limit = 5 })
	var keys []string
	for pager.HasMorePages() {
		for _, d := range okEC2(pager.NextPage(t.Context()))(t).Tags {
			keys = append(keys, aws.ToString(d.Key))
		}
	}
	if len(keys) != 12 || !slices.IsSorted(keys) {
		t.Fatalf("paged keys %v", keys)
	}
}

func TestEC2AuthorizationErrors(t *testing.T) {
	c, client := newEC2(t)
	id := ec2CreateGroup(t, client, "web")
	okEC2(client.AuthorizeSecurityGroupIngress(t.Context(), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()}}))(t)

	c.AddUser(DefaultAccount, "auditor", "AKIAFAKEAUDITOR00001", "auditor-secret", "ec2:Revoke*")
	auditor := ec2.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKEAUDITOR00001", "auditor-secret", ""))
	// Allowed: reads.
	okEC2(auditor.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}}))(t)
	// Denied: every Revoke*.
	_, err := auditor.RevokeSecurityGroupIngress(t.Context(), &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: []types.IpPermission{ec2SSHFromAnywhere()}})
	wantEC2Error(t, err, "UnauthorizedOperation")
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("UnauthorizedOperation status: %v", err)
	}
	if !strings.Contains(err.Error(), "security-group/"+id) {
		t.Fatalf("denial does not name the group: %v", err)
	}
	_, err = auditor.RevokeSecurityGroupEgress(t.Context(), &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id), SecurityGroupRuleIds: []string{"sgr-0123456789abcdef0"}})
	wantEC2Error(t, err, "UnauthorizedOperation")
	if n := len(ec2DescribeGroup(t, client, id).IpPermissions); n != 1 {
		t.Fatalf("a denied revoke changed the group")
	}

	stranger := ec2.NewFromConfig(sdkConfig(c.URL(), "AKIAUNKNOWNKEY000001", "whatever", ""))
	_, err = stranger.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
	wantEC2Error(t, err, "AuthFailure")
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusUnauthorized {
		t.Fatalf("AuthFailure status: %v", err)
	}
}

func TestEC2ExpiredSessionIsRequestExpired(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := New(Options{Now: func() time.Time { return now }})
	if _, err := c.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	admin, _ := c.ids.lookup(DefaultAccessKeyID, now)
	role := c.AddRole(Role{Account: DefaultAccount, Name: "remediator"})
	sess, aerr := c.ids.assume(admin, role.ARN, "s1", "", 15*time.Minute)
	if aerr != nil {
		t.Fatal(aerr)
	}
	now = now.Add(time.Hour)
	client := ec2.NewFromConfig(sdkConfig(c.URL(), sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken))
	_, err := client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{})
	wantEC2Error(t, err, "RequestExpired")
}

func TestEC2DryRun(t *testing.T) {
	_, client := newEC2(t)
	_, err := client.CreateSecurityGroup(t.Context(), &ec2.CreateSecurityGroupInput{GroupName: aws.String("dry"), Description: aws.String("d"), DryRun: aws.Bool(true)})
	wantEC2Error(t, err, "DryRunOperation")
	out := okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{}))(t)
	if len(out.SecurityGroups) != 0 {
		t.Fatalf("a dry run created a group")
	}
}

func TestEC2StateIsPerAccountAndRegion(t *testing.T) {
	c, cfg := startCloud(t)
	client := ec2.NewFromConfig(cfg)
	id := ec2CreateGroup(t, client, "here")
	west := cfg.Copy()
	west.Region = "us-west-2"
	_, err := ec2.NewFromConfig(west).DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	wantEC2Error(t, err, "InvalidGroup.NotFound")
	c.AddUser("210987654321", "other", "AKIAFAKEOTHER0000001", "other-secret")
	other := ec2.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKEOTHER0000001", "other-secret", ""))
	_, err = other.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	wantEC2Error(t, err, "InvalidGroup.NotFound")
	// The same name is free in another account.
	ec2CreateGroup(t, other, "here")
}

// rawEC2 posts a hand-made Query request, signed only as far as fakecloud
// reads a signature (the credential scope), and returns the status and
// the error code of the body.
func rawEC2(t *testing.T, c *Cloud, form string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.URL()+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+DefaultAccessKeyID+"/20260101/"+DefaultRegion+"/ec2/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Code      string `xml:"Errors>Error>Code"`
		RequestID string `xml:"RequestID"`
	}
	if resp.StatusCode != http.StatusOK {
		if err := xml.Unmarshal(body, &doc); err != nil || doc.RequestID == "" {
			t.Fatalf("error body is not an EC2 error document (%v): %s", err, body)
		}
	}
	return resp.StatusCode, doc.Code
}

func TestEC2RejectsBadInput(t *testing.T) {
	c, client := newEC2(t)
	id := ec2CreateGroup(t, client, "web")
	cases := []struct {
		name   string
		form   string
		status int
		code   string
	}{
		{"no action", "Version=2016-11-15", 400, "InvalidAction"},
		{"unknown action", "Action=RunInstances&Version=2016-11-15", 400, "InvalidAction"},
		{"no version", "Action=DescribeSecurityGroups", 400, "MissingParameter"},
		{"malformed body", "Action=%zz", 400, "MalformedQueryString"},
		{"malformed port", "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=" + id +
			"&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=twenty-two&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0", 400, "InvalidParameterValue"},
		{"port beyond int32", "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=" + id +
			"&IpProtocol=tcp&CidrIp=0.0.0.0/0&FromPort=99999999999&ToPort=22", 400, "InvalidParameterValue"},
		{"malformed max results", "Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=lots", 400, "InvalidParameterValue"},
		{"list index zero and gaps", "Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.0=sg-x&GroupId.7=" + id, 200, ""},
		{"filter without name", "Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Value.1=x", 400, "InvalidParameterValue"},
		{"source group name", "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=" + id + "&SourceSecurityGroupName=web", 400, "InvalidParameterValue"},
		{"legacy egress", "Action=AuthorizeSecurityGroupEgress&Version=2016-11-15&GroupId=" + id + "&IpProtocol=tcp&CidrIp=0.0.0.0/0&FromPort=1&ToPort=2", 400, "InvalidParameterValue"},
		{"empty", "", 400, "InvalidAction"},
		// Required fields the SDK checks before sending.
		{"egress without a group", "Action=AuthorizeSecurityGroupEgress&Version=2016-11-15&IpPermissions.1.IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0", 400, "MissingParameter"},
		{"create tags without tags", "Action=CreateTags&Version=2016-11-15&ResourceId.1=" + id, 400, "MissingParameter"},
		{"create tags without resources", "Action=CreateTags&Version=2016-11-15&Tag.1.Key=k&Tag.1.Value=v", 400, "MissingParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code := rawEC2(t, c, tc.form)
			if status != tc.status || code != tc.code {
				t.Fatalf("got %d %q, want %d %q", status, code, tc.status, tc.code)
			}
		})
	}
}

func TestSeedSecurityGroup(t *testing.T) {
	c, client := newEC2(t)
	tap := tapEvents(c)
	err := c.Apply(Seed{Accounts: []AccountSeed{{
		ID: DefaultAccount,
		SecurityGroups: []SecurityGroupSeed{
			{
				GroupID: "sg-0web00000000000001", GroupName: "web", Description: "public web",
				Ingress: []RuleSeed{
					{Protocol: "tcp", FromPort: 22, ToPort: 22, CidrIPv4: "0.0.0.0/0", Description: "ssh from anywhere"},
					{Protocol: "tcp", FromPort: 443, ToPort: 443, CidrIPv6: "::/0"},
				},
				Tags: map[string]string{"rectify:exempt": "aws.ec2.sg_public_admin_ports"},
			},
			{GroupName: "locked", VpcID: "vpc-0seeded", Egress: []RuleSeed{}},
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	g := ec2DescribeGroup(t, client, "sg-0web00000000000001")
	if len(g.IpPermissions) != 2 || len(g.IpPermissionsEgress) != 1 || len(g.Tags) != 1 ||
		aws.ToString(g.IpPermissions[0].IpRanges[0].Description) != "ssh from anywhere" {
		t.Fatalf("seeded web group: %+v", g)
	}
	locked := okEC2(client.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{{Name: aws.String("group-name"), Values: []string{"locked"}}},
	}))(t).SecurityGroups
	if len(locked) != 1 || aws.ToString(locked[0].VpcId) != "vpc-0seeded" || len(locked[0].IpPermissionsEgress) != 0 ||
		aws.ToString(locked[0].Description) != "locked" {
		t.Fatalf("seeded locked group: %+v", locked)
	}
	// A seeded VPC takes API-created groups too.
	okEC2(client.CreateSecurityGroup(t.Context(), &ec2.CreateSecurityGroupInput{GroupName: aws.String("api"), Description: aws.String("d"), VpcId: aws.String("vpc-0seeded")}))(t)
	tap.mu.Lock()
	for _, ev := range tap.events {
		if name := ev["detail"].(map[string]any)["eventName"]; name != "CreateSecurityGroup" {
			t.Errorf("seeding emitted a %v event", name)
		}
	}
	tap.mu.Unlock()

	bad := []struct {
		name string
		seed SecurityGroupSeed
	}{
		{"no name", SecurityGroupSeed{}},
		{"duplicate name", SecurityGroupSeed{GroupName: "web"}},
		{"duplicate id", SecurityGroupSeed{GroupName: "web2", GroupID: "sg-0web00000000000001"}},
		{"malformed id", SecurityGroupSeed{GroupName: "x", GroupID: "web"}},
		{"bad cidr", SecurityGroupSeed{GroupName: "x", Ingress: []RuleSeed{{Protocol: "tcp", FromPort: 1, ToPort: 1, CidrIPv4: "10.0.0.0"}}}},
		{"no peer", SecurityGroupSeed{GroupName: "x", Ingress: []RuleSeed{{Protocol: "tcp", FromPort: 1, ToPort: 1}}}},
		{"bad protocol", SecurityGroupSeed{GroupName: "x", Ingress: []RuleSeed{{Protocol: "tpc", CidrIPv4: "10.0.0.0/8"}}}},
		{"duplicate rule", SecurityGroupSeed{GroupName: "x", Ingress: []RuleSeed{{Protocol: "-1", CidrIPv4: "10.0.0.0/8"}, {Protocol: "-1", FromPort: 5, CidrIPv4: "10.0.0.0/8"}}}},
		{"reserved tag", SecurityGroupSeed{GroupName: "x", Tags: map[string]string{"aws:x": "y"}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.SeedSecurityGroup(DefaultAccount, tc.seed); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	if _, err := c.SeedSecurityGroup("", SecurityGroupSeed{GroupName: "x"}); err == nil {
		t.Fatal("want an error for an empty account")
	}
}

func TestEC2WildcardMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"web", "web", true},
		{"web", "web-a", false},
		{"web-*", "web-a", true},
		{"web-*", "web-", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"w?b", "web", true},
		{"w?b", "wb", false},
		{"*-prod-*", "api-prod-1", true},
		{"*-prod-*", "api-staging-1", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"10.0.*/8", "10.0.0.0/8", true},
		{`\*`, "*", true},
		{`\*`, "x", false},
		{`a\?`, "a?", true},
		{`a\?`, "ab", false},
	}
	for _, tc := range cases {
		if got := ec2WildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("ec2WildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
