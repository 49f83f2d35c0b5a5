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
	"read:" + "aws_s3_bucket":      {"s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:GetEncryptionConfiguration", "s3:GetBucketPolicy"},
	// Sweeps (ListResources).
	"list:" + "aws_security_group": {"ec2:DescribeSecurityGroups"},
	"list:" + "aws_s3_bucket":      {"s3:ListAllMyBuckets"},
	// Remediation actions: snapshot, apply and undo.
	"ec2_revoke_ingress":     {"ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"},
	"s3_block_public_access": {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
	// Bucket policy edits read, put, and delete the policy when none is left
	// or Undo restores "no policy"; encryption's Undo may delete it too
	// (IAM authorizes DeleteBucketEncryption as PutEncryptionConfiguration).
	"s3_delete_public_statements": {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	"s3_add_tls_deny":             {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	"s3_enable_kms_encryption":    {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"},
	// KMS keys and CloudTrail trails: reads, sweeps, actions and exemption tags.
	"read:" + "aws_kms_key":    {"kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
	"list:" + "aws_kms_key":    {"kms:ListKeys"},
	"tag:" + "aws_kms_key":     {"kms:ListResourceTags", "kms:TagResource"},
	"kms_enable_rotation":      {"kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation"},
	"read:" + "aws_cloudtrail": {"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:ListTags"},
	"list:" + "aws_cloudtrail": {"cloudtrail:DescribeTrails"},
	"tag:" + "aws_cloudtrail":  {"cloudtrail:ListTags", "cloudtrail:AddTags"},
	"cloudtrail_start_logging": {"cloudtrail:GetTrailStatus", "cloudtrail:StartLogging", "cloudtrail:StopLogging"},
	// Undo's exemption tags (TagExempt).
	"tag:" + "aws_security_group": {"ec2:DescribeSecurityGroups", "ec2:CreateTags"},
	"tag:" + "aws_s3_bucket":      {"s3:GetBucketTagging", "s3:PutBucketTagging"},
	// Findings (RecordFinding), in the account of the resource.
	"findings": {"securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings"},

	// RDS DB instances (rds.go): DescribeDBInstances carries the TagList.
	"read:" + "aws_db_instance": {"rds:DescribeDBInstances"},
	"list:" + "aws_db_instance": {"rds:DescribeDBInstances"},
	"tag:" + "aws_db_instance":  {"rds:DescribeDBInstances", "rds:AddTagsToResource"},
	"rds_disable_public_access": {"rds:DescribeDBInstances", "rds:ModifyDBInstance"},

	// EBS encryption by default (ebs.go): nothing to list or tag.
	"read:" + "aws_ebs_encryption_by_default": {"ec2:GetEbsEncryptionByDefault"},
	"ec2_enable_ebs_default_encryption":       {"ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault"},

	// IAM users, roles and groups (iam.go). IAM groups cannot be tagged.
	"read:" + "aws_iam_user":  {"iam:GetUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:GetUserPolicy"},
	"read:" + "aws_iam_role":  {"iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:GetRolePolicy"},
	"read:" + "aws_iam_group": {"iam:GetGroup", "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies", "iam:GetGroupPolicy"},
	"list:" + "aws_iam_user":  {"iam:ListUsers"},
	"list:" + "aws_iam_role":  {"iam:ListRoles"},
	"list:" + "aws_iam_group": {"iam:ListGroups"},
	"tag:" + "aws_iam_user":   {"iam:GetUser", "iam:TagUser"},
	"tag:" + "aws_iam_role":   {"iam:GetRole", "iam:TagRole"},
	"iam_detach_policy": {
		"iam:ListAttachedUserPolicies", "iam:ListAttachedRolePolicies", "iam:ListAttachedGroupPolicies",
		"iam:GetUserPolicy", "iam:GetRolePolicy", "iam:GetGroupPolicy",
		"iam:DetachUserPolicy", "iam:DetachRolePolicy", "iam:DetachGroupPolicy",
		"iam:DeleteUserPolicy", "iam:DeleteRolePolicy", "iam:DeleteGroupPolicy",
		"iam:AttachUserPolicy", "iam:AttachRolePolicy", "iam:AttachGroupPolicy",
		"iam:PutUserPolicy", "iam:PutRolePolicy", "iam:PutGroupPolicy",
	},
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
