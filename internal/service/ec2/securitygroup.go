// Package ec2 holds rectify's knowledge of Amazon EC2: the security group,
// the per-region EBS encryption-by-default setting, the EBS snapshot, the
// subnet and the instance, read and listed live, named by their CloudTrail
// calls and Terraform resources, and their fixes.
package ec2

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/plan"
)

// Terraform types of this service's kinds.
const (
	TypeSecurityGroup          = "aws_security_group"
	TypeEBSEncryptionByDefault = "aws_ebs_encryption_by_default"
)

// Kinds are the kinds of this service, in the order sweeps list them.
var Kinds = []*kind.Kind{SecurityGroup, EBSEncryptionByDefault, EBSSnapshot, Subnet, Instance, VPC}

const source = "ec2.amazonaws.com"

// SecurityGroup is a VPC security group (ID the sg- id, Name its name).
//
// properties (rules sorted by resource.SortRules):
//
//	{"group_id": "sg-…", "group_name": "web", "vpc_id": "vpc-…", "description": "…",
//	 "ingress": [rule…], "egress": [rule…]}
//	rule = {"rule_id": "sgr-…", "protocol": NormalizeProtocol(p),
//	        "from_port": int, "to_port": int,   // 0/65535 for protocol "-1"
//	        one of "cidr_ipv4" | "cidr_ipv6" | "referenced_group_id" | "prefix_list_id",
//	        "description": "…"}                // absent when empty
//
// A "self" rule names the group's own id as referenced_group_id. The default
// group of a VPC is group_name "default".
var SecurityGroup = &kind.Kind{
	Type:          TypeSecurityGroup,
	Noun:          "security group",
	ConfigType:    "AWS::EC2::SecurityGroup",
	ASFFType:      "AwsEc2SecurityGroup",
	ASFFDetailsID: "GroupId",
	ARN:           SecurityGroupARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("ec2", "security-group/") },
	IsID:          func(s string) bool { return strings.HasPrefix(s, "sg-") },
	ConfigIDs:     []string{kind.ConfigResourceID}, // resourceName is the group name
	Fetch:         fetchSecurityGroup,
	List:          listSecurityGroups,
	Tag:           tagEC2,
	Normalize:     normalizeSecurityGroup,
	Calls: []kind.Call{
		// The new group's id exists only in the response.
		{Source: source, Names: []string{"CreateSecurityGroup"}, IDs: []string{"responseElements.groupId"}},
		// Each call puts the group somewhere else: requestParameters,
		// ModifySecurityGroupRules' nested request, or the rules in the
		// response (the only place a call made by group name carries the
		// id). A group named only by name (EC2-Classic and default-VPC
		// calls) needs an API call to resolve, which is not the parser's
		// job: it does not resolve here.
		{Source: source, Names: []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
			"RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "ModifySecurityGroupRules",
			"UpdateSecurityGroupRuleDescriptionsIngress", "UpdateSecurityGroupRuleDescriptionsEgress"},
			IDs: groupIDs},
		{Source: source, Names: []string{"DeleteSecurityGroup"}, IDs: groupIDs, Deletes: true},
		// One tagging call can cover many resources of many kinds; tags feed
		// exemptions, so each group must be re-evaluated.
		{Source: source, Names: []string{"CreateTags", "DeleteTags"}, IDs: []string{"requestParameters.resourcesSet.items.*.resourceId"}},
	},
	Plan: plan.Kind{
		Parents: map[string]func(*plan.Instance) (plan.Doc, string, error){
			TypeSecurityGroup: newSecurityGroup, "aws_default_security_group": newSecurityGroup,
		},
		Children: map[string]string{
			"aws_security_group_rule":             "security_group_id",
			"aws_vpc_security_group_ingress_rule": "security_group_id",
			"aws_vpc_security_group_egress_rule":  "security_group_id",
		},
		Synthetic: syntheticSecurityGroup,
	},
	Actions: []*kind.Action{RevokeIngress},
	Permissions: kind.Permissions{
		Read: []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
		List: []string{"ec2:DescribeSecurityGroups"},
		Tag:  []string{"ec2:CreateTags"},
	},
}

var groupIDs = []string{
	"requestParameters.groupId", "requestParameters.ModifySecurityGroupRulesRequest.GroupId",
	"responseElements.securityGroupRuleSet.items.*.groupId", "responseElements.revokedSecurityGroupRuleSet.items.*.groupId",
	"requestParameters.groupName",
}

// SecurityGroupARN builds the ARN EC2 uses for a security group.
func SecurityGroupARN(account, region, groupID string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":security-group/" + groupID
}

// SecurityGroupState is what the live plane reads about a group:
// DescribeSecurityGroups' entry and every page of DescribeSecurityGroupRules.
type SecurityGroupState struct {
	Group ec2types.SecurityGroup       `json:"group"`
	Rules []ec2types.SecurityGroupRule `json:"rules"`
}

func normalizeSecurityGroup(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s SecurityGroupState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return SecurityGroupResource(account, region, s.Group, s.Rules), nil
}

// listSecurityGroups lists one page of the groups of an account and region.
func listSecurityGroups(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &ec2.DescribeSecurityGroupsInput{}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(max(5, p.Limit)) // EC2's minimum page size is 5
	}
	out, err := env.AWS.EC2(p.Account, p.Region).DescribeSecurityGroups(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list security groups in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, g := range out.SecurityGroups {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(g.GroupId)))
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

// tagEC2 writes tags on an EC2 resource. CreateTags adds or overwrites
// only the tags it names.
func tagEC2(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	tags := make([]ec2types.Tag, 0, len(set))
	for _, k := range kind.SortedKeys(set) {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(set[k])})
	}
	if _, err := env.AWS.EC2(ref.Account, ref.Region).CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{ref.ID}, Tags: tags}); err != nil {
		return awserr.Wrap(ctx, "tag "+ref.ID, err)
	}
	return nil
}

// fetchSecurityGroup reads a group and its rules.
func fetchSecurityGroup(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.EC2(ref.Account, ref.Region)
	out, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{ref.ID}})
	if awserr.Code(err) == "InvalidGroup.NotFound" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, "describe security group "+ref.ID, err)
	}
	if len(out.SecurityGroups) == 0 {
		return resource.Resource{}, false, nil
	}
	rules, err := groupRules(ctx, client, ref.ID, nil)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return SecurityGroupResource(ref.Account, ref.Region, out.SecurityGroups[0], rules), true, nil
}

// groupRules lists the rules of a group, optionally only the given ids.
func groupRules(ctx context.Context, client *ec2.Client, groupID string, ids []string) ([]ec2types.SecurityGroupRule, error) {
	in := &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{groupID}}},
	}
	var rules []ec2types.SecurityGroupRule
	pages := ec2.NewDescribeSecurityGroupRulesPaginator(client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awserr.Wrap(ctx, "describe rules of "+groupID, err)
		}
		for _, r := range page.SecurityGroupRules {
			if ids == nil || slices.Contains(ids, aws.ToString(r.SecurityGroupRuleId)) {
				rules = append(rules, r)
			}
		}
	}
	return rules, nil
}
