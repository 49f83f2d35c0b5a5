variable "name" {
  description = "Prefix of every resource this module creates (queues, rules, roles)."
  type        = string
  default     = "rectify"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits, '-' or '_' (it prefixes SQS queue and IAM role names)."
  }
}

variable "tags" {
  description = "Tags added to every taggable resource."
  type        = map(string)
  default     = {}
}

# --- Event sources ------------------------------------------------------------

variable "event_bus_name" {
  description = "EventBridge bus the rules are created on. Events of other accounts or regions reach rectify only if they are forwarded to this bus."
  type        = string
  default     = "default"
}

variable "cloudtrail_sources" {
  description = "Services whose CloudTrail API calls are forwarded: any of ec2, s3, iam, kms, cloudtrail, rds, sqs, sns, ecr, lambda, guardduty, config, logs, cloudwatch. The default covers the resource types the worker reads live today (security groups, buckets, KMS keys, trails, DB instances, IAM users, roles and groups, SQS queues, SNS topics, ECR repositories, Lambda functions; ec2 also carries the EBS encryption-by-default setting; logs (CloudWatch Logs) and cloudwatch (monitoring.amazonaws.com, EventBridge source aws.cloudwatch) carry the CIS monitoring filters and alarms). IAM calls reach EventBridge in us-east-1 only: the iam rule sees them when this module is applied there."
  type        = list(string)
  default     = ["ec2", "s3", "iam", "kms", "cloudtrail", "rds", "sqs", "sns", "ecr", "lambda", "guardduty", "config", "logs", "cloudwatch"]

  validation {
    condition     = alltrue([for s in var.cloudtrail_sources : contains(["ec2", "s3", "iam", "kms", "cloudtrail", "rds", "sqs", "sns", "ecr", "lambda", "guardduty", "config", "logs", "cloudwatch"], s)])
    error_message = "cloudtrail_sources: each entry must be one of ec2, s3, iam, kms, cloudtrail, rds, sqs, sns, ecr, lambda, guardduty, config, logs, cloudwatch."
  }
}

variable "config_resource_types" {
  description = "AWS Config resource types whose Configuration Item Change events are forwarded. Empty disables the AWS Config rule."
  type        = list(string)
  default     = ["AWS::EC2::Instance", "AWS::EC2::SecurityGroup", "AWS::S3::Bucket"]
}

variable "securityhub_findings" {
  description = "Forward Security Hub Findings - Imported events of active findings whose compliance status is FAILED (rectify's own findings excluded)."
  type        = bool
  default     = true
}

variable "securityhub_resource_types" {
  description = "ASFF resource types (Resources[].Type) whose failed findings are forwarded: the types the worker reads live."
  type        = list(string)
  default     = ["AwsEc2SecurityGroup", "AwsS3Bucket"]
}

variable "config_sns_topic_arn" {
  description = "ARN of an existing SNS topic AWS Config delivers to. When set, the queue subscribes to it with raw message delivery and admits it in the queue policy. Null: no subscription."
  type        = string
  default     = null
}

# --- Queue --------------------------------------------------------------------

variable "max_receive_count" {
  description = "Receives after which a message the starter cannot handle moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the event queue. The starter extends it while it starts evaluations, so a short value only bounds redelivery after a crash."
  type        = number
  default     = 60
}

variable "message_retention_seconds" {
  description = "How long an unconsumed event stays on the queue (default 4 days)."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "How long a message stays on the dead-letter queue (default and maximum 14 days)."
  type        = number
  default     = 1209600
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for queue encryption. Null uses SQS-managed encryption (SSE-SQS). With a key, its key policy must let events.amazonaws.com (and sns.amazonaws.com for the Config topic) call kms:GenerateDataKey and kms:Decrypt; the starter role gets kms:Decrypt through SQS only."
  type        = string
  default     = null
}

# --- IAM ----------------------------------------------------------------------

variable "member_role_name" {
  description = "Name of the member role (modules/member-role) in each target account; the worker may assume only this role."
  type        = string
  default     = "rectify-remediation"
}

variable "member_role_path" {
  description = "IAM path of the member role, starting and ending with '/'."
  type        = string
  default     = "/"

  validation {
    condition     = startswith(var.member_role_path, "/") && endswith(var.member_role_path, "/")
    error_message = "member_role_path must start and end with '/'."
  }
}

variable "member_account_ids" {
  description = "Target accounts the worker may act in. Empty allows the member role name in any account (each account's trust policy still decides)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.member_account_ids : can(regex("^[0-9]{12}$", a))])
    error_message = "member_account_ids must be 12-digit AWS account ids."
  }
}

variable "organization_id" {
  description = "AWS Organizations id (o-...). When set, the worker may assume member roles only in accounts of this organization (aws:ResourceOrgID)."
  type        = string
  default     = null
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider, for IRSA. When set, the starter and worker roles trust their Kubernetes service accounts. Null: use the *_trusted_principal_arns instead."
  type        = string
  default     = null
}

variable "kubernetes_namespace" {
  description = "Namespace the Helm chart is installed in (IRSA subject)."
  type        = string
  default     = "rectify"
}

variable "starter_service_account" {
  description = "Kubernetes service account of the starter (the chart's default for release name rectify)."
  type        = string
  default     = "rectify-starter"
}

variable "worker_service_account" {
  description = "Kubernetes service account of the worker (the chart's default for release name rectify)."
  type        = string
  default     = "rectify-worker"
}

variable "starter_trusted_principal_arns" {
  description = "IAM principals (outside EKS: an ECS task role, an instance role) allowed to assume the starter role with sts:AssumeRole."
  type        = list(string)
  default     = []
}

variable "worker_trusted_principal_arns" {
  description = "IAM principals (outside EKS) allowed to assume the worker role with sts:AssumeRole."
  type        = list(string)
  default     = []
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary attached to the starter and worker roles, if your organization requires one."
  type        = string
  default     = null
}

# --- Audit trail ----------------------------------------------------------------

variable "audit_bucket_name" {
  description = "Name of the S3 bucket to create for the audit trail (rectify.yaml audit.bucket), with Object Lock in compliance mode and versioning; the worker may put records under audit_prefix. Null: no audit bucket, and the audit trail stays off."
  type        = string
  default     = null

  validation {
    condition     = var.audit_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.audit_bucket_name))
    error_message = "audit_bucket_name must be an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'."
  }
}

variable "audit_prefix" {
  description = "Key prefix of the audit records (rectify.yaml audit.prefix); the worker's s3:PutObject grant covers only it."
  type        = string
  default     = "rectify/audit/"

  validation {
    condition     = !startswith(var.audit_prefix, "/") && (var.audit_prefix == "" || endswith(var.audit_prefix, "/"))
    error_message = "audit_prefix must not start with '/' and must end with '/' (or be empty)."
  }
}

variable "audit_retention_days" {
  description = "How long Object Lock (compliance mode) keeps every audit record: no one can delete or overwrite one sooner, the root user included. Audits usually ask for one year or more."
  type        = number
  default     = 400

  validation {
    condition     = var.audit_retention_days >= 1 && var.audit_retention_days <= 36500 && floor(var.audit_retention_days) == var.audit_retention_days
    error_message = "audit_retention_days must be a whole number of days between 1 and 36500."
  }
}
