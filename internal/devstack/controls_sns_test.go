package devstack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	svcsns "github.com/rectifyhq/rectify/internal/service/sns"
)

const policySNSEncryption = "aws.sns.kms_encryption"

func topicRef(name string) resource.Ref {
	return resource.Ref{Type: svcsns.TypeTopic, ID: name, ARN: svcsns.TopicARN(Account, Region, name), Account: Account, Region: Region}
}

// topicTags reads a topic's tags as the human.
func topicTags(ctx context.Context, t *testing.T, client *sns.Client, arn string) map[string]string {
	t.Helper()
	out, err := client.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// TestSNSTopicEncrypted: the human creates a topic without a KMS key; the
// CreateTopic event drives rectify to encrypt it with the AWS managed key
// (enforce, the default), verified and recorded. Undo takes the key off
// again and tags the topic exempt.
func TestSNSTopicEncrypted(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name := "alerts" + s.suffix
	client := sns.NewFromConfig(s.human())
	if _, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	ref := topicRef(name)
	wid := contract.RemediationID(policySNSEncryption, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if k, _ := s.cloud.TopicKey(Account, Region, name); k != svcsns.DefaultKey {
		t.Fatalf("KmsMasterKeyId after the remediation = %q, want %s", k, svcsns.DefaultKey)
	}
	if n := s.events.count("SetTopicAttributes", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called SetTopicAttributes %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policySNSEncryption, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "CloudWatch alarms publish here and cannot use the AWS managed key"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if k, _ := s.cloud.TopicKey(Account, Region, name); k != "" {
		t.Errorf("KmsMasterKeyId after undo = %q, want none again", k)
	}
	wantExempt(t, topicTags(ctx, t, client, ref.ARN), policySNSEncryption)
}

// TestSNSTopicEncryptedWithConfiguredKey: with remediation.
// sns.kms_master_key_id set, a topic whose key the human removes
// (SetTopicAttributes) is encrypted with the configured key.
func TestSNSTopicEncryptedWithConfiguredKey(t *testing.T) {
	ctx := context.Background()
	const key = "alias/alerts"
	s := newStack(t, func(c *config.Config) {
		c.Remediation = map[string]any{"sns": map[string]any{"kms_master_key_id": key}}
	})
	name := "billing" + s.suffix
	client := sns.NewFromConfig(s.human())
	out, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sns"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: out.TopicArn, AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	ref := topicRef(name)
	s.waitState(contract.RemediationID(policySNSEncryption, ref.ARN), contract.StateResolved)
	if k, _ := s.cloud.TopicKey(Account, Region, name); k != key {
		t.Errorf("KmsMasterKeyId after the remediation = %q, want the configured %s", k, key)
	}
	s.wantResolvedFinding(ctx, policySNSEncryption, ref)
}
