package activities

import (
	"maps"
	"slices"
)

// Permissions are the IAM actions each part of the worker calls in a target
// account, through the remediation role. The member-role policy in
// deploy/terraform must grant exactly their union: a test parses the module
// and fails on any action missing or extra. Keep this next to the code it
// describes and change both together.
var Permissions = map[string][]string{
	// Live reads (EvaluateResource, VerifyPolicy).
	"read:" + "aws_security_group": {"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	"read:" + "aws_s3_bucket":      {"s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging"},
	// Sweeps (ListResources).
	"list:" + "aws_security_group": {"ec2:DescribeSecurityGroups"},
	"list:" + "aws_s3_bucket":      {"s3:ListAllMyBuckets"},
	// Remediation actions: snapshot, apply and undo.
	"ec2_revoke_ingress":     {"ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"},
	"s3_block_public_access": {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
	// Undo's exemption tags (TagExempt).
	"tag:" + "aws_security_group": {"ec2:DescribeSecurityGroups", "ec2:CreateTags"},
	"tag:" + "aws_s3_bucket":      {"s3:GetBucketTagging", "s3:PutBucketTagging"},
	// Findings (RecordFinding), in the account of the resource.
	"findings": {"securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings"},
}

// RequiredActions is the sorted union of Permissions.
func RequiredActions() []string {
	seen := map[string]bool{}
	for _, acts := range Permissions {
		for _, a := range acts {
			seen[a] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
