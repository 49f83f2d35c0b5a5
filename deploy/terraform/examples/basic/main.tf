# A complete installation on EKS: the event wiring and the starter and
# worker roles in the account that runs rectify, and the member role in that
# account and in one more target account.
#
#   terraform init && terraform apply \
#     -var oidc_provider_arn=arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC \
#     -var external_id=$(uuidgen) -var member_account_id=222222222222 \
#     -var member_admin_role_arn=arn:aws:iam::222222222222:role/OrganizationAccountAccessRole
#   terraform output -raw helm_values > rectify-aws.yaml
#   helm install rectify ../../../helm/rectify -n rectify --create-namespace -f rectify-aws.yaml

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

# The other target account, through a role you can assume there.
provider "aws" {
  alias  = "member"
  region = var.region

  assume_role {
    role_arn = var.member_admin_role_arn
  }
}

data "aws_caller_identity" "current" {}

module "rectify" {
  source = "../.."

  oidc_provider_arn  = var.oidc_provider_arn
  member_account_ids = [data.aws_caller_identity.current.account_id, var.member_account_id]
  audit_bucket_name  = var.audit_bucket_name
  tags               = { app = "rectify" }
}

# rectify remediates in its own account too.
module "member_self" {
  source = "../../modules/member-role"

  worker_role_arn = module.rectify.worker_role_arn
  external_id     = var.external_id
}

module "member_other" {
  source = "../../modules/member-role"
  providers = {
    aws = aws.member
  }

  worker_role_arn = module.rectify.worker_role_arn
  external_id     = var.external_id
}
