data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition

  # The CloudTrail calls rectify reacts to, by eventSource: exactly the ones
  # the parser (internal/events) turns into evaluations. deploy/terraform_test.go
  # compares this map with events.CloudTrailEventNames() and fails on any drift.
  cloudtrail_event_names = {
    "ec2.amazonaws.com" = [
      "AuthorizeSecurityGroupEgress",
      "AuthorizeSecurityGroupIngress",
      "CopySnapshot",
      "CreateDefaultSubnet",
      "CreateDefaultVpc",
      "CreateSecurityGroup",
      "CreateSnapshot",
      "CreateSubnet",
      "CreateTags",
      "CreateVpc",
      "DeleteSecurityGroup",
      "DeleteSnapshot",
      "DeleteSubnet",
      "DeleteTags",
      "DeleteVpc",
      "DisableEbsEncryptionByDefault",
      "EnableEbsEncryptionByDefault",
      "ModifyInstanceMetadataOptions",
      "ModifySecurityGroupRules",
      "ModifySnapshotAttribute",
      "ModifySubnetAttribute",
      "ResetSnapshotAttribute",
      "RevokeSecurityGroupEgress",
      "RevokeSecurityGroupIngress",
      "RunInstances",
      "TerminateInstances",
      "UpdateSecurityGroupRuleDescriptionsEgress",
      "UpdateSecurityGroupRuleDescriptionsIngress",
    ]
    "iam.amazonaws.com" = [
      "AttachGroupPolicy",
      "AttachRolePolicy",
      "AttachUserPolicy",
      "CreateAccessKey",
      "CreateLoginProfile",
      "DeleteAccessKey",
      "DeleteAccountPasswordPolicy",
      "DeleteGroupPolicy",
      "DeleteLoginProfile",
      "DeleteRolePolicy",
      "DeleteUserPolicy",
      "DetachGroupPolicy",
      "DetachRolePolicy",
      "DetachUserPolicy",
      "PutGroupPolicy",
      "PutRolePolicy",
      "PutUserPolicy",
      "TagRole",
      "TagUser",
      "UntagRole",
      "UntagUser",
      "UpdateAccessKey",
      "UpdateAccountPasswordPolicy",
      "UpdateLoginProfile",
    ]
    "kms.amazonaws.com" = [
      "CancelKeyDeletion",
      "CreateKey",
      "DisableKeyRotation",
      "EnableKeyRotation",
      "ScheduleKeyDeletion",
      "TagResource",
      "UntagResource",
    ]
    "cloudtrail.amazonaws.com" = [
      "AddTags",
      "CreateTrail",
      "DeleteTrail",
      "RemoveTags",
      "StartLogging",
      "StopLogging",
      "UpdateTrail",
    ]
    "rds.amazonaws.com" = [
      "AddTagsToResource",
      "CopyDBSnapshot",
      "CreateDBCluster",
      "CreateDBInstance",
      "CreateDBInstanceReadReplica",
      "CreateDBSnapshot",
      "DeleteDBCluster",
      "DeleteDBInstance",
      "DeleteDBSnapshot",
      "ModifyDBCluster",
      "ModifyDBInstance",
      "ModifyDBSnapshotAttribute",
      "RemoveTagsFromResource",
      "RestoreDBClusterFromS3",
      "RestoreDBClusterFromSnapshot",
      "RestoreDBClusterToPointInTime",
      "RestoreDBInstanceFromDBSnapshot",
      "RestoreDBInstanceFromS3",
      "RestoreDBInstanceToPointInTime",
    ]
    "s3.amazonaws.com" = [
      "CreateBucket",
      "DeleteBucket",
      "DeleteBucketEncryption",
      "DeleteBucketPolicy",
      "DeleteBucketPublicAccessBlock",
      "DeleteBucketTagging",
      "PutBucketAcl",
      "PutBucketEncryption",
      "PutBucketLogging",
      "PutBucketPolicy",
      "PutBucketPublicAccessBlock",
      "PutBucketTagging",
    ]
    "logs.amazonaws.com" = [
      "DeleteLogGroup",
      "DeleteMetricFilter",
      "PutMetricFilter",
    ]
    "monitoring.amazonaws.com" = [
      "DeleteAlarms",
      "PutMetricAlarm",
    ]
    "config.amazonaws.com" = [
      "DeleteConfigurationRecorder",
      "PutConfigurationRecorder",
      "StartConfigurationRecorder",
      "StopConfigurationRecorder",
    ]
    "guardduty.amazonaws.com" = [
      "CreateDetector",
      "DeleteDetector",
      "UpdateDetector",
    ]
    "ecr.amazonaws.com" = [
      "CreateRepository",
      "DeleteRepository",
      "PutImageScanningConfiguration",
      "TagResource",
      "UntagResource",
    ]
    # Lambda's CloudTrail eventNames carry its API versions.
    "lambda.amazonaws.com" = [
      "AddPermission20150331v2",
      "DeleteFunction20150331",
      "RemovePermission20150331v2",
      "TagResource20170331v2",
      "UntagResource20170331v2",
    ]
    "sns.amazonaws.com" = [
      "CreateTopic",
      "DeleteTopic",
      "SetTopicAttributes",
      "TagResource",
      "Unsubscribe",
      "UntagResource",
    ]
    "sqs.amazonaws.com" = [
      "CreateQueue",
      "DeleteQueue",
      "SetQueueAttributes",
      "TagQueue",
      "UntagQueue",
    ]
  }

  # EC2 tagging calls name resources of every kind; only the kinds rectify
  # judges matter (security groups, EBS snapshots, subnets, instances, VPCs), so
  # the rule matches them by resource id prefix instead of forwarding the
  # tags of every volume, AMI and network interface.
  ec2_tag_calls    = ["CreateTags", "DeleteTags"]
  ec2_tag_prefixes = ["sg-", "snap-", "subnet-", "i-", "vpc-"]

  # The detail part of each CloudTrail rule's event pattern, by service.
  cloudtrail_details = {
    ec2 = {
      eventSource = ["ec2.amazonaws.com"]
      "$or" = [
        { eventName = [for n in local.cloudtrail_event_names["ec2.amazonaws.com"] : n if !contains(local.ec2_tag_calls, n)] },
        {
          eventName         = local.ec2_tag_calls
          requestParameters = { resourcesSet = { items = { resourceId = [for p in local.ec2_tag_prefixes : { prefix = p }] } } }
        },
      ]
    }
    iam = {
      eventSource = ["iam.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["iam.amazonaws.com"]
    }
    kms = {
      eventSource = ["kms.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["kms.amazonaws.com"]
    }
    cloudtrail = {
      eventSource = ["cloudtrail.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["cloudtrail.amazonaws.com"]
    }
    rds = {
      eventSource = ["rds.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["rds.amazonaws.com"]
    }
    s3 = {
      eventSource = ["s3.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["s3.amazonaws.com"]
    }
    config = {
      eventSource = ["config.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["config.amazonaws.com"]
    }
    logs = {
      eventSource = ["logs.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["logs.amazonaws.com"]
    }
    # CloudWatch's API is monitoring.amazonaws.com in CloudTrail, and its
    # events reach EventBridge with source aws.cloudwatch.
    cloudwatch = {
      eventSource = ["monitoring.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["monitoring.amazonaws.com"]
    }
    guardduty = {
      eventSource = ["guardduty.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["guardduty.amazonaws.com"]
    }
    ecr = {
      eventSource = ["ecr.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["ecr.amazonaws.com"]
    }
    lambda = {
      eventSource = ["lambda.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["lambda.amazonaws.com"]
    }
    sns = {
      eventSource = ["sns.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["sns.amazonaws.com"]
    }
    sqs = {
      eventSource = ["sqs.amazonaws.com"]
      eventName   = local.cloudtrail_event_names["sqs.amazonaws.com"]
    }
  }

  # The member role in every target account, as IAM ARNs the worker may
  # assume and as the template rectify.yaml's aws.assume_role takes.
  member_role_arns = (
    length(var.member_account_ids) == 0
    ? ["arn:${local.partition}:iam::*:role${var.member_role_path}${var.member_role_name}"]
    : [for account in var.member_account_ids : "arn:${local.partition}:iam::${account}:role${var.member_role_path}${var.member_role_name}"]
  )
  member_role_template = "arn:${local.partition}:iam::{account}:role${var.member_role_path}${var.member_role_name}"
}
