package activities

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svcecr "github.com/rectifyhq/rectify/internal/service/ecr"
	svclambda "github.com/rectifyhq/rectify/internal/service/lambda"
	svcsns "github.com/rectifyhq/rectify/internal/service/sns"
	svcsqs "github.com/rectifyhq/rectify/internal/service/sqs"
)

// TestQueueTopicRepositoryActions: the SQS, SNS and ECR actions through
// the lifecycle TestCoverageActions runs: deny, snapshot, apply (twice,
// the second a no-op), pass, undo (twice), deny, exemption tag.
func TestQueueTopicRepositoryActions(t *testing.T) {
	const acct, region = fakecloud.DefaultAccount, "us-east-1"
	queue := func(name string, attrs map[string]string) func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
		return func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if _, err := c.CreateQueue(fakecloud.QueueSeed{Account: acct, Region: region, Name: name, Attributes: attrs}); err != nil {
				t.Fatal(err)
			}
			return resource.Ref{Type: svcsqs.TypeQueue, ID: name, ARN: svcsqs.QueueARN(acct, region, name), Account: acct, Region: region}
		}
	}
	topic := func(name string) func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
		return func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedTopic(acct, fakecloud.TopicSeed{Region: region, Name: name}); err != nil {
				t.Fatal(err)
			}
			return resource.Ref{Type: svcsns.TypeTopic, ID: name, ARN: svcsns.TopicARN(acct, region, name), Account: acct, Region: region}
		}
	}
	tests := []struct {
		name, policy, action string
		options              map[string]string
		seed                 func(t *testing.T, c *fakecloud.Cloud, a *Activities) resource.Ref
	}{
		{"sqs sse-sqs", "aws.sqs.encryption_at_rest", "sqs_enable_encryption", nil, queue("orders", map[string]string{"SqsManagedSseEnabled": "false"})},
		{"sqs kms key", "aws.sqs.encryption_at_rest", "sqs_enable_encryption", map[string]string{svcsqs.KeyOption: "alias/queues"}, queue("orders", map[string]string{"SqsManagedSseEnabled": "false"})},
		{"sns default key", "aws.sns.kms_encryption", "sns_enable_kms_encryption", nil, topic("alerts")},
		{"ecr scan on push", "aws.ecr.scan_on_push", "ecr_enable_scan_on_push", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedRepository(acct, fakecloud.RepositorySeed{Region: region, Name: "team/app"}); err != nil {
				t.Fatal(err)
			}
			return resource.Ref{Type: svcecr.TypeRepository, ID: "team/app", ARN: svcecr.RepositoryARN(acct, region, "team/app"), Account: acct, Region: region}
		}},
		{"lambda public permission", "aws.lambda.function_public_access", "lambda_remove_public_permissions", nil, func(t *testing.T, c *fakecloud.Cloud, _ *Activities) resource.Ref {
			if err := c.SeedFunction(acct, fakecloud.FunctionSeed{Region: region, Name: "orders", Public: []string{"public-invoke"}}); err != nil {
				t.Fatal(err)
			}
			return resource.Ref{Type: svclambda.TypeFunction, ID: "orders", ARN: svclambda.FunctionARN(acct, region, "orders"), Account: acct, Region: region}
		}},
		{"sns configured key", "aws.sns.kms_encryption", "sns_enable_kms_encryption", map[string]string{svcsns.KeyOption: "alias/alerts"}, topic("alerts")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { actionLifecycle(t, tt.policy, tt.action, tt.options, tt.seed) })
	}
}
