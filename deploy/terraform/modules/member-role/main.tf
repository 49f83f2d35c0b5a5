# The role rectify's worker assumes in a target account. It grants exactly
# the IAM actions the code declares in activities/permissions.go, scoped to
# this account's resources wherever AWS supports it; deploy/terraform_test.go
# fails on any action missing or extra.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id

  security_groups = [for r in var.regions : "arn:${local.partition}:ec2:${r}:${local.account}:security-group/*"]
  subnets         = [for r in var.regions : "arn:${local.partition}:ec2:${r}:${local.account}:subnet/*"]
  instances       = [for r in var.regions : "arn:${local.partition}:ec2:${r}:${local.account}:instance/*"]
  vpcs            = [for r in var.regions : "arn:${local.partition}:ec2:${r}:${local.account}:vpc/*"]
  flow_logs       = [for r in var.regions : "arn:${local.partition}:ec2:${r}:${local.account}:vpc-flow-log/*"]

  iam_principals = [
    "arn:${local.partition}:iam::${local.account}:group/*",
    "arn:${local.partition}:iam::${local.account}:role/*",
    "arn:${local.partition}:iam::${local.account}:user/*",
  ]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Live reads and sweeps. Both Describe calls have no resource type
        # in the Service Authorization Reference: AWS evaluates them on *.
        Sid      = "ReadSecurityGroups"
        Effect   = "Allow"
        Action   = ["ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"]
        Resource = "*"
      },
      {
        # ListAllMyBuckets has no resource type: *.
        Sid      = "ListBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListAllMyBuckets"]
        Resource = "*"
      },
      {
        # ec2_revoke_ingress: revoke, and re-authorize on Undo. Both are
        # authorized on the group. Authorize's optional security-group-rule
        # type matters only to a request that tags the new rule
        # (TagSpecifications), which rectify never sends; Revoke has none.
        Sid      = "ChangeSecurityGroupIngress"
        Effect   = "Allow"
        Action   = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]
        Resource = local.security_groups
      },
      {
        # Undo's exemption tags on security groups, subnets, instances and
        # VPCs, and no other tag (CreateTags supports aws:TagKeys on all).
        Sid      = "TagEC2ResourcesExempt"
        Effect   = "Allow"
        Action   = ["ec2:CreateTags"]
        Resource = concat(local.security_groups, local.subnets, local.instances, local.vpcs)
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads, s3_block_public_access (snapshot, apply, undo: the
        # DeletePublicAccessBlock call is authorized as
        # s3:PutBucketPublicAccessBlock) and Undo's exemption tags. A bucket
        # ARN names no account, so the global aws:ResourceAccount (S3 also
        # offers the same as s3:ResourceAccount) keeps it to this account's.
        Sid    = "BucketPublicAccessBlockAndTags"
        Effect = "Allow"
        Action = [
          "s3:GetBucketPublicAccessBlock",
          "s3:GetBucketTagging",
          "s3:PutBucketPublicAccessBlock",
          "s3:PutBucketTagging",
        ]
        Resource  = "arn:${local.partition}:s3:::*"
        Condition = { StringEquals = { "aws:ResourceAccount" = local.account } }
      },
      {
        # Live reads of bucket policy and default encryption;
        # s3_delete_public_statements and s3_add_tls_deny (edit the policy,
        # delete it when none is left, restore it on Undo) and
        # s3_enable_kms_encryption (Put/DeleteBucketEncryption are both
        # s3:PutEncryptionConfiguration, GetBucketEncryption is
        # s3:GetEncryptionConfiguration), on this account's buckets only.
        Sid    = "BucketPolicyAndEncryption"
        Effect = "Allow"
        Action = [
          "s3:DeleteBucketPolicy",
          "s3:GetBucketPolicy",
          "s3:GetEncryptionConfiguration",
          "s3:PutBucketPolicy",
          "s3:PutEncryptionConfiguration",
        ]
        Resource  = "arn:${local.partition}:s3:::*"
        Condition = { StringEquals = { "aws:ResourceAccount" = local.account } }
      },
      {
        # Live reads of server access logging and s3_enable_access_logging
        # (snapshot, apply, undo), on this account's buckets only. The log
        # bucket needs no grant here: S3's logging service writes to it,
        # under the log bucket's own policy.
        Sid       = "BucketLogging"
        Effect    = "Allow"
        Action    = ["s3:GetBucketLogging", "s3:PutBucketLogging"]
        Resource  = "arn:${local.partition}:s3:::*"
        Condition = { StringEquals = { "aws:ResourceAccount" = local.account } }
      },
      {
        # ListKeys and DescribeTrails have no resource type: *.
        Sid      = "ListKeysAndTrails"
        Effect   = "Allow"
        Action   = ["cloudtrail:DescribeTrails", "kms:ListKeys"]
        Resource = "*"
      },
      {
        # Live reads of KMS keys and kms_enable_rotation (snapshot, apply,
        # undo), on this account's keys only.
        Sid    = "KeyRotation"
        Effect = "Allow"
        Action = [
          "kms:DescribeKey",
          "kms:DisableKeyRotation",
          "kms:EnableKeyRotation",
          "kms:GetKeyRotationStatus",
          "kms:ListResourceTags",
        ]
        Resource = [for r in var.regions : "arn:${local.partition}:kms:${r}:${local.account}:key/*"]
      },
      {
        # Undo's exemption tags on keys, and no other tag (TagResource
        # supports aws:TagKeys).
        Sid      = "TagKeysExempt"
        Effect   = "Allow"
        Action   = ["kms:TagResource"]
        Resource = [for r in var.regions : "arn:${local.partition}:kms:${r}:${local.account}:key/*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads of trails and cloudtrail_start_logging (snapshot,
        # apply, undo), on this account's trails only. ListTags also takes
        # event data stores, channels and dashboards; rectify names trails.
        Sid      = "TrailLogging"
        Effect   = "Allow"
        Action   = ["cloudtrail:GetTrailStatus", "cloudtrail:ListTags", "cloudtrail:StartLogging", "cloudtrail:StopLogging"]
        Resource = [for r in var.regions : "arn:${local.partition}:cloudtrail:${r}:${local.account}:trail/*"]
      },
      {
        # cloudtrail_enable_log_file_validation and cloudtrail_set_kms_key
        # (apply, undo), on this account's trails only. CloudTrail checks
        # the KMS key's policy itself, as cloudtrail.amazonaws.com: the
        # role needs no KMS permission, and the operator's key policy must
        # let CloudTrail encrypt.
        Sid      = "TrailSettings"
        Effect   = "Allow"
        Action   = ["cloudtrail:UpdateTrail"]
        Resource = [for r in var.regions : "arn:${local.partition}:cloudtrail:${r}:${local.account}:trail/*"]
      },
      {
        # Undo's exemption tags on trails, and no other tag (AddTags
        # supports aws:TagKeys).
        Sid      = "TagTrailsExempt"
        Effect   = "Allow"
        Action   = ["cloudtrail:AddTags"]
        Resource = [for r in var.regions : "arn:${local.partition}:cloudtrail:${r}:${local.account}:trail/*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads, sweeps, Undo's tag read and rds_disable_public_access,
        # rds_enable_instance_deletion_protection,
        # rds_enable_auto_minor_version_upgrade and
        # rds_enable_instance_copy_tags_to_snapshot (snapshot, apply, undo),
        # on this account's DB instances only. ModifyDBInstance's option
        # group, parameter group, security group and subnet group types
        # count only in a request that changes them; rectify changes
        # PubliclyAccessible, DeletionProtection, AutoMinorVersionUpgrade and
        # CopyTagsToSnapshot alone.
        Sid      = "DBInstancePublicAccess"
        Effect   = "Allow"
        Action   = ["rds:DescribeDBInstances", "rds:ModifyDBInstance"]
        Resource = [for r in var.regions : "arn:${local.partition}:rds:${r}:${local.account}:db:*"]
      },
      {
        # Live reads, sweeps, Undo's tag read and
        # rds_enable_cluster_deletion_protection and
        # rds_enable_cluster_copy_tags_to_snapshot (snapshot, apply, undo), on
        # this account's DB clusters only; rectify changes
        # DeletionProtection and CopyTagsToSnapshot alone.
        Sid      = "DBClusterDeletionProtection"
        Effect   = "Allow"
        Action   = ["rds:DescribeDBClusters", "rds:ModifyDBCluster"]
        Resource = [for r in var.regions : "arn:${local.partition}:rds:${r}:${local.account}:cluster:*"]
      },
      {
        # Live reads, sweeps, Undo's tag read and rds_make_snapshot_private
        # (snapshot, apply, undo: the restore attribute), on this account's
        # DB snapshots only.
        Sid      = "DBSnapshotSharing"
        Effect   = "Allow"
        Action   = ["rds:DescribeDBSnapshotAttributes", "rds:DescribeDBSnapshots", "rds:ModifyDBSnapshotAttribute"]
        Resource = [for r in var.regions : "arn:${local.partition}:rds:${r}:${local.account}:snapshot:*"]
      },
      {
        # Undo's exemption tags on DB instances, clusters and snapshots,
        # and no other tag (AddTagsToResource supports aws:TagKeys).
        Sid    = "TagRDSResourcesExempt"
        Effect = "Allow"
        Action = ["rds:AddTagsToResource"]
        Resource = flatten([for r in var.regions : [
          for t in ["db", "cluster", "snapshot"] : "arn:${local.partition}:rds:${r}:${local.account}:${t}:*"
        ]])
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Sweeps of SQS queues: ListQueues has no resource type: *.
        Sid      = "ListQueues"
        Effect   = "Allow"
        Action   = ["sqs:ListQueues"]
        Resource = "*"
      },
      {
        # Live reads of queues and sqs_enable_encryption (snapshot, apply,
        # undo), on this account's queues only. SetQueueAttributes with a
        # KMS key needs no KMS permission of the caller: SQS uses the key
        # when messages are sent, under the key's own policy.
        Sid      = "QueueEncryption"
        Effect   = "Allow"
        Action   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:SetQueueAttributes"]
        Resource = [for r in var.regions : "arn:${local.partition}:sqs:${r}:${local.account}:*"]
      },
      {
        # Undo's exemption tags on queues, and no other tag (TagQueue
        # supports aws:TagKeys).
        Sid      = "TagQueuesExempt"
        Effect   = "Allow"
        Action   = ["sqs:TagQueue"]
        Resource = [for r in var.regions : "arn:${local.partition}:sqs:${r}:${local.account}:*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Sweeps of SNS topics: ListTopics has no resource type: *.
        Sid      = "ListTopics"
        Effect   = "Allow"
        Action   = ["sns:ListTopics"]
        Resource = "*"
      },
      {
        # Live reads of topics and sns_enable_kms_encryption (snapshot,
        # apply, undo), on this account's topics only. SNS uses the KMS key
        # under the key's own policy: the role needs no KMS permission.
        Sid      = "TopicEncryption"
        Effect   = "Allow"
        Action   = ["sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:SetTopicAttributes"]
        Resource = [for r in var.regions : "arn:${local.partition}:sns:${r}:${local.account}:*"]
      },
      {
        # Undo's exemption tags on topics, and no other tag (TagResource
        # supports aws:TagKeys).
        Sid      = "TagTopicsExempt"
        Effect   = "Allow"
        Action   = ["sns:TagResource"]
        Resource = [for r in var.regions : "arn:${local.partition}:sns:${r}:${local.account}:*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads and sweeps of repositories, and ecr_enable_scan_on_push
        # (snapshot, apply, undo), on this account's repositories only.
        # DescribeRepositories is authorized on the repositories it
        # returns, so a sweep needs no *.
        Sid      = "RepositoryScanOnPush"
        Effect   = "Allow"
        Action   = ["ecr:DescribeRepositories", "ecr:ListTagsForResource", "ecr:PutImageScanningConfiguration"]
        Resource = [for r in var.regions : "arn:${local.partition}:ecr:${r}:${local.account}:repository/*"]
      },
      {
        # Undo's exemption tags on repositories, and no other tag
        # (TagResource supports aws:TagKeys).
        Sid      = "TagRepositoriesExempt"
        Effect   = "Allow"
        Action   = ["ecr:TagResource"]
        Resource = [for r in var.regions : "arn:${local.partition}:ecr:${r}:${local.account}:repository/*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Sweeps of Lambda functions: ListFunctions has no resource type: *.
        Sid      = "ListFunctions"
        Effect   = "Allow"
        Action   = ["lambda:ListFunctions"]
        Resource = "*"
      },
      {
        # Live reads of functions and lambda_remove_public_permissions
        # (snapshot, apply, and undo, which adds the removed statements
        # back), on this account's functions only.
        Sid      = "FunctionPublicPermissions"
        Effect   = "Allow"
        Action   = ["lambda:AddPermission", "lambda:GetFunction", "lambda:GetPolicy", "lambda:ListTags", "lambda:RemovePermission"]
        Resource = [for r in var.regions : "arn:${local.partition}:lambda:${r}:${local.account}:function:*"]
      },
      {
        # Undo's exemption tags on functions, and no other tag (TagResource
        # supports aws:TagKeys).
        Sid      = "TagFunctionsExempt"
        Effect   = "Allow"
        Action   = ["lambda:TagResource"]
        Resource = [for r in var.regions : "arn:${local.partition}:lambda:${r}:${local.account}:function:*"]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads of each region's GuardDuty setting and
        # guardduty_enable_detector: ListDetectors and CreateDetector have
        # no resource type (the detector does not exist yet), so AWS
        # evaluates them on * only.
        Sid      = "GuardDutyListCreateDetectors"
        Effect   = "Allow"
        Action   = ["guardduty:CreateDetector", "guardduty:ListDetectors"]
        Resource = "*"
      },
      {
        # The region's detector read, enabled, and on undo disabled or
        # deleted, on this account's detectors only.
        Sid      = "GuardDutyDetector"
        Effect   = "Allow"
        Action   = ["guardduty:DeleteDetector", "guardduty:GetDetector", "guardduty:UpdateDetector"]
        Resource = [for r in var.regions : "arn:${local.partition}:guardduty:${r}:${local.account}:detector/*"]
      },
      {
        # CreateDetector makes GuardDuty's service-linked role in an
        # account that never had GuardDuty (a dependent action of
        # CreateDetector); that role and no other.
        Sid      = "GuardDutyServiceLinkedRole"
        Effect   = "Allow"
        Action   = ["iam:CreateServiceLinkedRole"]
        Resource = "arn:${local.partition}:iam::${local.account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
        Condition = {
          StringEquals = { "iam:AWSServiceName" = "guardduty.amazonaws.com" }
        }
      },
      {
        # Live reads of each region's AWS Config setting and
        # config_start_recorder (snapshot, apply, undo). Config's recorder
        # and delivery channel calls have no resource type, so AWS
        # evaluates them on * only.
        Sid    = "ConfigRecorder"
        Effect = "Allow"
        Action = [
          "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
          "config:DescribeConfigurationRecorderStatus", "config:DescribeConfigurationRecorders",
          "config:DescribeDeliveryChannels", "config:PutConfigurationRecorder", "config:PutDeliveryChannel",
          "config:StartConfigurationRecorder", "config:StopConfigurationRecorder",
        ]
        Resource = "*"
      },
      {
        # PutConfigurationRecorder hands Config the operator's role
        # (remediation.config.role_arn); passed to Config and no other
        # service.
        Sid      = "ConfigPassRole"
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = "arn:${local.partition}:iam::${local.account}:role/*"
        Condition = {
          StringEquals = { "iam:PassedToService" = "config.amazonaws.com" }
        }
      },
      {
        # Live reads of each region's CIS monitoring setting (CloudWatch.1
        # to 14): the alarms on a filter's metric. DescribeAlarmsForMetric
        # has no resource type: AWS evaluates it on * only.
        Sid      = "CISAlarmsForMetric"
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarmsForMetric"]
        Resource = "*"
      },
      {
        # Live reads of the metric filters on the trail's log group, and
        # cloudwatch_create_cis_alarms (apply, undo) putting and deleting
        # its own filters there: metric filter calls are authorized on the
        # log group, so no narrower resource names one filter.
        Sid      = "CISMetricFilters"
        Effect   = "Allow"
        Action   = ["logs:DeleteMetricFilter", "logs:DescribeMetricFilters", "logs:PutMetricFilter"]
        Resource = [for r in var.regions : "arn:${local.partition}:logs:${r}:${local.account}:log-group:*"]
      },
      {
        # cloudwatch_create_cis_alarms' snapshot and undo read which of its
        # alarms exist.
        Sid      = "CISAlarmsRead"
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarms"]
        Resource = [for r in var.regions : "arn:${local.partition}:cloudwatch:${r}:${local.account}:alarm:*"]
      },
      {
        # cloudwatch_create_cis_alarms creates, and its undo deletes, only
        # alarms named rectify-cis-cloudwatch-N: no other alarm of the
        # account can be changed.
        Sid      = "CISAlarms"
        Effect   = "Allow"
        Action   = ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm"]
        Resource = [for r in var.regions : "arn:${local.partition}:cloudwatch:${r}:${local.account}:alarm:rectify-cis-cloudwatch-*"]
      },
      {
        # Whether an alarm's SNS topic has a subscriber (CloudWatch.1-14
        # count only alarms that reach someone), on this account's topics.
        Sid      = "CISAlarmTopicSubscribers"
        Effect   = "Allow"
        Action   = ["sns:ListSubscriptionsByTopic"]
        Resource = [for r in var.regions : "arn:${local.partition}:sns:${r}:${local.account}:*"]
      },
      {
        # Live reads and ec2_enable_ebs_default_encryption (snapshot, apply,
        # undo). The setting is per region and has no ARN: none of the three
        # has a resource type, so AWS evaluates them on * only.
        Sid      = "EBSEncryptionByDefault"
        Effect   = "Allow"
        Action   = ["ec2:DisableEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:GetEbsEncryptionByDefault"]
        Resource = "*"
      },
      {
        # Live reads of the account password policy and
        # iam_strengthen_password_policy (snapshot, apply; undo restores
        # the old policy or deletes the one the fix created). The policy
        # has no ARN: these actions have no resource type, so AWS
        # evaluates them on * only.
        Sid      = "AccountPasswordPolicy"
        Effect   = "Allow"
        Action   = ["iam:DeleteAccountPasswordPolicy", "iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy"]
        Resource = "*"
      },
      {
        # Live reads and sweeps of EBS snapshots: DescribeSnapshots has no
        # resource type, so AWS evaluates it on *.
        Sid      = "ListEBSSnapshots"
        Effect   = "Allow"
        Action   = ["ec2:DescribeSnapshots"]
        Resource = "*"
      },
      {
        # Live reads and ec2_make_snapshot_private (snapshot, apply, undo:
        # the createVolumePermission attribute), and Undo's exemption tags
        # below. A snapshot ARN names no account, so aws:ResourceAccount
        # keeps both to this account's snapshots.
        Sid       = "EBSSnapshotSharing"
        Effect    = "Allow"
        Action    = ["ec2:DescribeSnapshotAttribute", "ec2:ModifySnapshotAttribute"]
        Resource  = [for r in var.regions : "arn:${local.partition}:ec2:${r}::snapshot/*"]
        Condition = { StringEquals = { "aws:ResourceAccount" = local.account } }
      },
      {
        # Undo's exemption tags on this account's EBS snapshots, and no
        # other tag.
        Sid      = "TagEBSSnapshotsExempt"
        Effect   = "Allow"
        Action   = ["ec2:CreateTags"]
        Resource = [for r in var.regions : "arn:${local.partition}:ec2:${r}::snapshot/*"]
        Condition = {
          StringEquals                = { "aws:ResourceAccount" = local.account }
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # Live reads and sweeps of subnets (also ec2_disable_subnet_public_ip's
        # snapshot and apply): DescribeSubnets has no resource type: *.
        Sid      = "ListSubnets"
        Effect   = "Allow"
        Action   = ["ec2:DescribeSubnets"]
        Resource = "*"
      },
      {
        # ec2_disable_subnet_public_ip turns MapPublicIpOnLaunch off, and
        # Undo back on, on this account's subnets. ModifySubnetAttribute
        # has no condition key that names the attribute.
        Sid      = "SubnetPublicIP"
        Effect   = "Allow"
        Action   = ["ec2:ModifySubnetAttribute"]
        Resource = local.subnets
      },
      {
        # Live reads and sweeps of VPCs and their flow logs (also
        # ec2_create_flow_logs' snapshot, apply and undo): neither Describe
        # call has a resource type: *.
        Sid      = "ListVPCsAndFlowLogs"
        Effect   = "Allow"
        Action   = ["ec2:DescribeFlowLogs", "ec2:DescribeVpcs"]
        Resource = "*"
      },
      {
        # ec2_create_flow_logs creates a flow log on this account's VPCs;
        # CreateFlowLogs is authorized on the VPC and on the new flow log,
        # DeleteFlowLogs (undo) on the flow log.
        Sid      = "VPCFlowLogs"
        Effect   = "Allow"
        Action   = ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"]
        Resource = concat(local.vpcs, local.flow_logs)
      },
      {
        # The flow log is tagged as rectify's when it is created, so undo
        # deletes that one only; tagging on create is authorized as
        # CreateTags, here only within CreateFlowLogs and only that key.
        Sid      = "TagFlowLogsOnCreate"
        Effect   = "Allow"
        Action   = ["ec2:CreateTags"]
        Resource = local.flow_logs
        Condition = {
          StringEquals                = { "ec2:CreateAction" = "CreateFlowLogs" }
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:created-by"] }
        }
      },
      {
        # A flow log that delivers to S3 needs its creator (and deleter)
        # to manage the log delivery; these have no resource type: *.
        Sid      = "FlowLogDelivery"
        Effect   = "Allow"
        Action   = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery"]
        Resource = "*"
      },
      {
        # Live reads and sweeps of instances (also ec2_require_imdsv2's
        # snapshot and apply): DescribeInstances has no resource type: *.
        Sid      = "ListInstances"
        Effect   = "Allow"
        Action   = ["ec2:DescribeInstances"]
        Resource = "*"
      },
      {
        # ec2_require_imdsv2 sets HttpTokens=required, and Undo puts the
        # old value back, on this account's instances.
        Sid      = "InstanceMetadataOptions"
        Effect   = "Allow"
        Action   = ["ec2:ModifyInstanceMetadataOptions"]
        Resource = local.instances
      },
      {
        # Sweeps of IAM principals: ListGroups, ListRoles and ListUsers have
        # no resource type: *.
        Sid      = "ListIAMPrincipals"
        Effect   = "Allow"
        Action   = ["iam:ListGroups", "iam:ListRoles", "iam:ListUsers"]
        Resource = "*"
      },
      {
        # Live reads of users, roles and groups with their managed and
        # inline policies and users' access keys, when each key and the
        # console password were last used, and the console password
        # itself (also iam_detach_policy's, iam_deactivate_access_keys'
        # and iam_delete_login_profile's snapshots, and Undo's tag read).
        # ListAccessKeys, GetAccessKeyLastUsed and GetLoginProfile have the
        # user resource type only; granting them on roles and groups as
        # well gives nothing.
        Sid    = "ReadIAMPrincipals"
        Effect = "Allow"
        Action = [
          "iam:GetAccessKeyLastUsed",
          "iam:GetGroup",
          "iam:GetGroupPolicy",
          "iam:GetLoginProfile",
          "iam:GetRole",
          "iam:GetRolePolicy",
          "iam:GetUser",
          "iam:GetUserPolicy",
          "iam:ListAccessKeys",
          "iam:ListAttachedGroupPolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListAttachedUserPolicies",
          "iam:ListGroupPolicies",
          "iam:ListRolePolicies",
          "iam:ListUserPolicies",
        ]
        Resource = local.iam_principals
      },
      {
        # iam_deactivate_access_keys turns an old access key off and Undo
        # turns it back on, on this account's users only; it never creates
        # or deletes a key.
        Sid      = "AccessKeyStatus"
        Effect   = "Allow"
        Action   = ["iam:UpdateAccessKey"]
        Resource = "arn:${local.partition}:iam::${local.account}:user/*"
      },
      {
        # iam_delete_login_profile deletes a console password nobody has
        # used in 45 days, on this account's users only. Nothing can put a
        # password back (IAM never reveals one), so no CreateLoginProfile:
        # undo does not need it, and rectify never sets passwords.
        Sid      = "DeleteUnusedPasswords"
        Effect   = "Allow"
        Action   = ["iam:DeleteLoginProfile"]
        Resource = "arn:${local.partition}:iam::${local.account}:user/*"
      },
      {
        # iam_detach_policy detaches AdministratorAccess and Undo puts it
        # back: no other managed policy (all six actions support
        # iam:PolicyARN).
        Sid    = "DetachAdministratorAccess"
        Effect = "Allow"
        Action = [
          "iam:AttachGroupPolicy",
          "iam:AttachRolePolicy",
          "iam:AttachUserPolicy",
          "iam:DetachGroupPolicy",
          "iam:DetachRolePolicy",
          "iam:DetachUserPolicy",
        ]
        Resource  = local.iam_principals
        Condition = { ArnEquals = { "iam:PolicyARN" = "arn:${local.partition}:iam::aws:policy/AdministratorAccess" } }
      },
      {
        # iam_detach_policy deletes an inline policy that allows *:*, and
        # Undo puts the kept document back.
        Sid    = "DeleteAdminInlinePolicies"
        Effect = "Allow"
        Action = [
          "iam:DeleteGroupPolicy",
          "iam:DeleteRolePolicy",
          "iam:DeleteUserPolicy",
          "iam:PutGroupPolicy",
          "iam:PutRolePolicy",
          "iam:PutUserPolicy",
        ]
        Resource = local.iam_principals
      },
      {
        # Undo's exemption tags on users and roles (groups take no tags),
        # and no other tag.
        Sid    = "TagIAMPrincipalsExempt"
        Effect = "Allow"
        Action = ["iam:TagRole", "iam:TagUser"]
        Resource = [
          "arn:${local.partition}:iam::${local.account}:role/*",
          "arn:${local.partition}:iam::${local.account}:user/*",
        ]
        Condition = {
          "ForAllValues:StringEquals" = { "aws:TagKeys" = ["rectify:exempt", "rectify:exempt-until"] }
        }
      },
      {
        # The grants above must never let this role widen its own
        # permissions: Put*Policy cannot be conditioned on the document.
        Sid    = "NeverChangeThisRole"
        Effect = "Deny"
        Action = [
          "iam:AttachRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:DetachRolePolicy",
          "iam:PutRolePolicy",
          "iam:TagRole",
        ]
        Resource = "arn:${local.partition}:iam::${local.account}:role${var.role_path}${var.role_name}"
      },
      {
        # Findings under the account's own default product ARN
        # (activities.ProductARN), BatchImportFindings' resource type.
        Sid      = "ImportFindings"
        Effect   = "Allow"
        Action   = ["securityhub:BatchImportFindings"]
        Resource = [for r in var.regions : "arn:${local.partition}:securityhub:${r}:${local.account}:product/${local.account}/default"]
      },
      {
        # The hub is BatchUpdateFindings' resource type.
        Sid      = "UpdateFindings"
        Effect   = "Allow"
        Action   = ["securityhub:BatchUpdateFindings"]
        Resource = [for r in var.regions : "arn:${local.partition}:securityhub:${r}:${local.account}:hub/default"]
      },
    ]
  })

  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RectifyWorker"
      Effect    = "Allow"
      Principal = { AWS = var.worker_role_arn }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.role_path
  description          = "rectify remediation: reads and fixes what rectify's policies judge, assumed by the rectify worker"
  assume_role_policy   = local.trust
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "rectify-remediation"
  role   = aws_iam_role.this.id
  policy = local.policy
}
