// Package deploy holds no code. Its tests check what is deployed against the
// code it deploys: the Terraform module's IAM policies against the actions
// the activities declare (the kind registry's permissions (internal/service)) and the calls the starter
// makes, its EventBridge rules against the event parser, the Helm chart's
// rendered objects against the Kubernetes API types and rectify's config
// loader, the compose file, the Dockerfile and the Grafana dashboard.
//
// The Helm tests need bin/helm (`make bin/helm`; `make test` builds it).
package deploy
