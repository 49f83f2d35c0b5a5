package ec2

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// RevokeIngress revokes the ingress rules a policy named by sgr- id. Undo
// authorizes them again exactly as they were.
var RevokeIngress = &kind.Action{
	Name:        "ec2_revoke_ingress",
	Permissions: []string{"ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"},
	Describe:    ec2RevokeIngress{}.describe,
	Snapshot:    ec2RevokeIngress{}.snapshot,
	Apply:       ec2RevokeIngress{}.apply,
	Undo:        ec2RevokeIngress{}.undo,
}

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
	ids, _ := kind.Strings(params, "rule_ids")
	return "revoke ingress rule(s) " + strings.Join(ids, ", ")
}

func (ec2RevokeIngress) snapshot(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	ids, err := kind.Strings(params, "rule_ids")
	if err != nil {
		return nil, err
	}
	rules, err := groupRules(ctx, env.AWS.EC2(ref.Account, ref.Region), ref.ID, ids)
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

func (ec2RevokeIngress) apply(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	ids, err := kind.Strings(params, "rule_ids")
	if err != nil {
		return kind.Applied{}, err
	}
	if len(ids) == 0 {
		return kind.Applied{}, awserr.Permanent(awserr.InvalidParams, "ec2_revoke_ingress on %s: params.rule_ids is empty", ref.ID)
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
	present, err := groupRules(ctx, client, ref.ID, ids)
	if err != nil {
		return kind.Applied{}, err
	}
	var revoke []string
	for _, r := range present {
		if !aws.ToBool(r.IsEgress) {
			revoke = append(revoke, aws.ToString(r.SecurityGroupRuleId))
		}
	}
	if len(revoke) == 0 {
		return kind.Applied{Summary: fmt.Sprintf("rules %s already revoked from %s", strings.Join(ids, ", "), ref.ID)}, nil
	}
	_, err = client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(ref.ID), SecurityGroupRuleIds: revoke,
	})
	if awserr.Code(err) == "InvalidSecurityGroupRuleId.NotFound" {
		// Someone revoked it between our read and our call: already fixed.
		return kind.Applied{Summary: fmt.Sprintf("rules %s already revoked from %s", strings.Join(revoke, ", "), ref.ID)}, nil
	}
	if err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, fmt.Sprintf("revoke %s on %s", strings.Join(revoke, ","), ref.ID), err)
	}
	return kind.Applied{Changed: true, Summary: fmt.Sprintf("revoked %s from %s", strings.Join(revoke, ", "), ref.ID)}, nil
}

func (ec2RevokeIngress) undo(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap revokeSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return awserr.Permanent(awserr.InvalidParams, "undo ec2_revoke_ingress on %s: snapshot: %v", ref.ID, err)
	}
	client := env.AWS.EC2(ref.Account, ref.Region)
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
		if err != nil && awserr.Code(err) != "InvalidPermission.Duplicate" {
			return awserr.Wrap(ctx, fmt.Sprintf("restore rule %s on %s", r.RuleID, snap.GroupID), err)
		}
	}
	return nil
}
