output "helm_values" {
  description = "Helm values for deploy/helm/rectify: the IRSA roles and the parts of rectify.yaml this installation decides. Pass them with -f next to your own values (Temporal address, approvers, Slack)."
  value = yamlencode({
    serviceAccount = {
      worker  = { roleArn = module.rectify.worker_role_arn }
      starter = { roleArn = module.rectify.starter_role_arn }
    }
    config = merge(module.rectify.rectify_config, {
      aws = merge(module.rectify.rectify_config.aws, { external_id = var.external_id })
    })
  })
}

output "member_role_arns" {
  description = "The member roles created, by account."
  value = {
    (data.aws_caller_identity.current.account_id) = module.member_self.role_arn
    (var.member_account_id)                       = module.member_other.role_arn
  }
}
