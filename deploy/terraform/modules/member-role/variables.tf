variable "worker_role_arn" {
  description = "ARN of the rectify worker role (the root module's worker_role_arn output): the only principal this role trusts."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.worker_role_arn))
    error_message = "worker_role_arn must be an IAM role ARN (arn:aws:iam::123456789012:role/...)."
  }
}

variable "external_id" {
  description = "External ID the worker must present (rectify.yaml aws.external_id). Not a secret, but unique per rectify installation."
  type        = string

  validation {
    condition     = length(var.external_id) >= 2 && length(var.external_id) <= 1224
    error_message = "external_id must be 2-1224 characters."
  }
}

variable "role_name" {
  description = "Name of the role; the root module's member_role_name must match."
  type        = string
  default     = "rectify-remediation"
}

variable "role_path" {
  description = "IAM path of the role; the root module's member_role_path must match."
  type        = string
  default     = "/"
}

variable "regions" {
  description = "Regions the role may remediate security groups and write findings in. [\"*\"] means all."
  type        = list(string)
  default     = ["*"]
}

variable "max_session_duration" {
  description = "Maximum session length of the role, in seconds."
  type        = number
  default     = 3600
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary attached to the role, if your organization requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the role."
  type        = map(string)
  default     = {}
}
