package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/resource/live"
)

// fetchSecurityGroup reads a group and its rules.
func (a *Activities) fetchSecurityGroup(ctx context.Context, ref resource.Ref) (resource.Resource, bool, error) {
	client := a.AWS.EC2(ref.Account, ref.Region)
	out, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{ref.ID}})
	if errorCode(err) == "InvalidGroup.NotFound" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awsError(ctx, "describe security group "+ref.ID, err)
	}
	if len(out.SecurityGroups) == 0 {
		return resource.Resource{}, false, nil
	}
	rules, err := groupRules(ctx, client, ref.ID, nil)
	if err != nil {
		return resource.Resource{}, false, err
	}
	return live.SecurityGroup(ref.Account, ref.Region, out.SecurityGroups[0], rules), true, nil
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
			return nil, awsError(ctx, "describe rules of "+groupID, err)
		}
		for _, r := range page.SecurityGroupRules {
			if ids == nil || slices.Contains(ids, aws.ToString(r.SecurityGroupRuleId)) {
				rules = append(rules, r)
			}
		}
	}
	return rules, nil
}

// ec2RevokeIngress revokes the ingress rules a policy named by sgr- id.
type ec2RevokeIngress struct{}

// revokeSnapshot keeps the revoked rules in full, enough to re-authorize
// them exactly on undo.
type revokeSnapshot struct {
	GroupID string        `json:"group_id"`
	Rules   []revokedRule `json:"rules"`
}

type revokedRule struct {
	RuleID      string `json:"rule_id"`
	Protocol    string `json:"protocol"`
	FromPort    int32  `json:"from_port"`
	ToPort      int32  `json:"to_port"`
	CidrIPv4    string `json:"cidr_ipv4,omitempty"`
	CidrIPv6    string `json:"cidr_ipv6,omitempty"`
	Description string `json:"description,omitempty"`
}

func (ec2RevokeIngress) describe(params map[string]any) string {
	ids, _ := stringList(params, "rule_ids")
	return "revoke ingress rule(s) " + strings.Join(ids, ", ")
}

func (ec2RevokeIngress) snapshot(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (any, error) {
	ids, err := stringList(params, "rule_ids")
	if err != nil {
		return nil, err
	}
	rules, err := groupRules(ctx, a.AWS.EC2(ref.Account, ref.Region), ref.ID, ids)
	if err != nil {
		return nil, err
	}
	snap := revokeSnapshot{GroupID: ref.ID}
	for _, r := range rules {
		if aws.ToBool(r.IsEgress) {
			continue
		}
		snap.Rules = append(snap.Rules, revokedRule{
			RuleID: aws.ToString(r.SecurityGroupRuleId), Protocol: aws.ToString(r.IpProtocol),
			FromPort: aws.ToInt32(r.FromPort), ToPort: aws.ToInt32(r.ToPort),
			CidrIPv4: aws.ToString(r.CidrIpv4), CidrIPv6: aws.ToString(r.CidrIpv6),
			Description: aws.ToString(r.Description),
		})
	}
	return snap, nil
}

func (ec2RevokeIngress) apply(ctx context.Context, a *Activities, ref resource.Ref, params map[string]any) (ApplyOutput, error) {
	ids, err := stringList(params, "rule_ids")
	if err != nil {
		return ApplyOutput{}, err
	}
	if len(ids) == 0 {
		return ApplyOutput{}, permanent(ErrInvalidParams, "ec2_revoke_ingress on %s: params.rule_ids is empty", ref.ID)
	}
	client := a.AWS.EC2(ref.Account, ref.Region)
	present, err := groupRules(ctx, client, ref.ID, ids)
	if err != nil {
		return ApplyOutput{}, err
	}
	var revoke []string
	for _, r := range present {
		if !aws.ToBool(r.IsEgress) {
			revoke = append(revoke, aws.ToString(r.SecurityGroupRuleId))
		}
	}
	if len(revoke) == 0 {
		return ApplyOutput{Summary: fmt.Sprintf("rules %s already revoked from %s", strings.Join(ids, ", "), ref.ID)}, nil
	}
	_, err = client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(ref.ID), SecurityGroupRuleIds: revoke,
	})
	if errorCode(err) == "InvalidSecurityGroupRuleId.NotFound" {
		// Someone revoked it between our read and our call: already fixed.
		return ApplyOutput{Summary: fmt.Sprintf("rules %s already revoked from %s", strings.Join(revoke, ", "), ref.ID)}, nil
	}
	if err != nil {
		return ApplyOutput{}, awsError(ctx, fmt.Sprintf("revoke %s on %s", strings.Join(revoke, ","), ref.ID), err)
	}
	return ApplyOutput{Changed: true, Summary: fmt.Sprintf("revoked %s from %s", strings.Join(revoke, ", "), ref.ID)}, nil
}

func (ec2RevokeIngress) undo(ctx context.Context, a *Activities, ref resource.Ref, data json.RawMessage) error {
	var snap revokeSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return permanent(ErrInvalidParams, "undo ec2_revoke_ingress on %s: snapshot: %v", ref.ID, err)
	}
	client := a.AWS.EC2(ref.Account, ref.Region)
	for _, r := range snap.Rules {
		perm := ec2types.IpPermission{IpProtocol: aws.String(r.Protocol), FromPort: aws.Int32(r.FromPort), ToPort: aws.Int32(r.ToPort)}
		desc := aws.String(r.Description)
		if r.CidrIPv4 != "" {
			perm.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(r.CidrIPv4), Description: desc}}
		}
		if r.CidrIPv6 != "" {
			perm.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(r.CidrIPv6), Description: desc}}
		}
		_, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(snap.GroupID), IpPermissions: []ec2types.IpPermission{perm},
		})
		if err != nil && errorCode(err) != "InvalidPermission.Duplicate" {
			return awsError(ctx, fmt.Sprintf("restore rule %s on %s", r.RuleID, snap.GroupID), err)
		}
	}
	return nil
}
