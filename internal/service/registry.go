// Package service lists the AWS services rectify knows, one package each
// (ec2, s3, iam, rds, kms, cloudtrail, sqs, sns, ecr, lambda, guardduty,
// configservice, cloudwatch): every resource kind with its
// reads, its CloudTrail calls, its Terraform resources and its fixes. A
// new service is one package and one line here.
package service

import (
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/rectifyhq/rectify/internal/service/cloudtrail"
	"github.com/rectifyhq/rectify/internal/service/cloudwatch"
	"github.com/rectifyhq/rectify/internal/service/configservice"
	"github.com/rectifyhq/rectify/internal/service/ec2"
	"github.com/rectifyhq/rectify/internal/service/ecr"
	"github.com/rectifyhq/rectify/internal/service/guardduty"
	"github.com/rectifyhq/rectify/internal/service/iam"
	"github.com/rectifyhq/rectify/internal/service/kms"
	"github.com/rectifyhq/rectify/internal/service/lambda"
	"github.com/rectifyhq/rectify/internal/service/rds"
	"github.com/rectifyhq/rectify/internal/service/s3"
	"github.com/rectifyhq/rectify/internal/service/sns"
	"github.com/rectifyhq/rectify/internal/service/sqs"
)

// Registry holds every kind, in the order sweeps list them. Everything
// that used to be a table of its own derives from it: the readers, the
// action allow-list, the IAM permissions deploy grants, the CloudTrail
// event names EventBridge forwards, the Config and Security Hub type maps,
// and `rectify controls`.
var Registry = kind.MustNew(concat(
	ec2.Kinds,
	s3.Kinds,
	kms.Kinds,
	cloudtrail.Kinds,
	rds.Kinds,
	iam.Kinds,
	sqs.Kinds,
	sns.Kinds,
	ecr.Kinds,
	lambda.Kinds,
	guardduty.Kinds,
	configservice.Kinds,
	cloudwatch.Kinds,
)...)

// Plan is the plan plane of every kind.
var Plan = mustPlan()

func mustPlan() *plan.Kinds {
	ks, err := plan.NewKinds(Registry.Plan()...)
	if err != nil {
		panic(err)
	}
	return ks
}

func concat(lists ...[]*kind.Kind) []*kind.Kind {
	var out []*kind.Kind
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
