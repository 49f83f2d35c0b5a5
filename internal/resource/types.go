package resource

import "fmt"

// Types judged by the controls beyond the security group, bucket and IAM
// principals declared in resource.go. Terraform type names stay the
// vocabulary: a live read names the Terraform type that manages the thing.
const (
	TypeEBSEncryptionByDefault = "aws_ebs_encryption_by_default"
	TypeDBInstance             = "aws_db_instance"
	TypeCloudTrail             = "aws_cloudtrail"
	TypeKMSKey                 = "aws_kms_key"
)

// Property documents, per type. Both planes must produce exactly these keys
// with these value types for the same real configuration; a key whose value
// is not known (plan plane: after_unknown) is ABSENT, never false, "" or [].
// Integers are Go int, lists are []any, objects are map[string]any.
//
// aws_security_group (live.SecurityGroup; rules sorted by SortRules)
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
//
// aws_s3_bucket (live.Bucket; ARN BucketARN(name), ID and Name the bucket name)
//
//	{"bucket": "name",
//	 "public_access_block": null | {"block_public_acls": bool, "ignore_public_acls": bool,
//	                                "block_public_policy": bool, "restrict_public_buckets": bool},
//	 "encryption": {"sse_algorithm": "AES256" | "aws:kms" | "aws:kms:dsse",
//	                "kms_master_key_id": "…"},   // absent when S3 reports none (aws/s3 key)
//	 "policy": null | NormalizePolicyDocument(GetBucketPolicy)}
//
// public_access_block is null on NoSuchPublicAccessBlockConfiguration. S3 has
// encrypted every bucket with at least SSE-S3 since January 2023, so
// "encryption" is never null: GetBucketEncryption's first rule's
// ApplyServerSideEncryptionByDefault, SSEAlgorithm and KMSMasterKeyID.
// "policy" is null on NoSuchBucketPolicy.
//
// aws_iam_user, aws_iam_role, aws_iam_group (ARN IAMARN; ID and Name the name)
//
//	{"name": "…", "path": "/",
//	 "attached_policy_arns": ["arn:aws:iam::aws:policy/…", …],   // sorted, unique
//	 "inline_policies": [{"name": "…", "document": NormalizePolicyDocument(…)}, …]}  // sorted by name
//
// Live: List{User,Role,Group}AttachedPolicies (all pages) and
// List{User,Role,Group}Policies + Get{User,Role,Group}Policy, whose
// PolicyDocument is URL-encoded: decode it before NormalizePolicyDocument.
//
// aws_ebs_encryption_by_default (one per account and region;
// ARN EBSEncryptionByDefaultARN, ID and Name the region)
//
//	{"enabled": bool}   // GetEbsEncryptionByDefault.EbsEncryptionByDefault
//
// aws_db_instance (ARN DBInstanceARN; ID and Name the identifier). The plan
// plane also maps aws_rds_cluster_instance here, because DescribeDBInstances
// lists cluster members as DB instances too.
//
//	{"identifier": "…", "engine": "postgres", "publicly_accessible": bool}
//
// aws_cloudtrail (ARN TrailARN in the trail's home region; ID and Name the
// trail name). Live: DescribeTrails with includeShadowTrails=false, so a
// multi-region trail is judged once, in its home region.
//
//	{"name": "…", "logging": bool,          // GetTrailStatus.IsLogging
//	 "is_multi_region_trail": bool}
//
// aws_kms_key (ARN KMSKeyARN; ID and Name the key id). Live skips keys in
// state PendingDeletion or PendingImport: Terraform no longer manages them and
// their rotation cannot change.
//
//	{"key_id": "…", "key_manager": "CUSTOMER" | "AWS",
//	 "key_spec": "SYMMETRIC_DEFAULT" | …, "key_usage": "ENCRYPT_DECRYPT" | …,
//	 "origin": "AWS_KMS" | "EXTERNAL" | "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE",
//	 "enabled": bool,
//	 "key_rotation_enabled": bool}   // GetKeyRotationStatus; false for keys
//	                                 // that cannot rotate (asymmetric, HMAC,
//	                                 // imported, custom key store), as
//	                                 // Terraform's enable_key_rotation says
//
// Tags: a map of every tag on the resource (tags_all in a plan), {} when none.

// EBSEncryptionByDefaultARN names the per-region EBS default-encryption
// setting. AWS gives the setting no ARN; rectify needs one because resource
// identity, workflow IDs and finding IDs are all keyed by ARN.
func EBSEncryptionByDefaultARN(account, region string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:ebs-encryption-by-default", region, account)
}

// DBInstanceARN builds the ARN RDS uses for a DB instance.
func DBInstanceARN(account, region, identifier string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", region, account, identifier)
}

// TrailARN builds the ARN of a CloudTrail trail in its home region.
func TrailARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, account, name)
}

// KMSKeyARN builds the ARN of a KMS key from its key id.
func KMSKeyARN(account, region, keyID string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, keyID)
}
