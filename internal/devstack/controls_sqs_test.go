package devstack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/resource"
	svcsqs "github.com/rectifyhq/rectify/internal/service/sqs"
)

const policySQSEncryption = "aws.sqs.encryption_at_rest"

// queueRef names a queue of the demo account.
func queueRef(name string) resource.Ref {
	return resource.Ref{Type: svcsqs.TypeQueue, ID: name, ARN: svcsqs.QueueARN(Account, Region, name), Account: Account, Region: Region}
}

// queueTags reads a queue's tags as the human.
func queueTags(ctx context.Context, t *testing.T, client *sqs.Client, queueURL string) map[string]string {
	t.Helper()
	out, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(queueURL)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Tags
}

// TestSQSQueueEncrypted: the human creates a queue with SSE-SQS turned
// off; the CreateQueue event drives rectify to turn it on (enforce: no key
// is configured, so SQS-managed keys), verified and recorded. Undo turns
// it off again and tags the queue exempt.
func TestSQSQueueEncrypted(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name := "orders" + s.suffix
	client := sqs.NewFromConfig(s.human())
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"SqsManagedSseEnabled": "false"}})
	if err != nil {
		t.Fatal(err)
	}
	ref := queueRef(name)
	wid := contract.RemediationID(policySQSEncryption, ref.ARN)
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 {
		t.Errorf("remediations = %d, want 1", st.Remediations)
	}
	if v, _ := s.cloud.QueueAttribute(Account, name, "SqsManagedSseEnabled"); v != "true" {
		t.Fatalf("SqsManagedSseEnabled after the remediation = %q, want true", v)
	}
	if n := s.events.count("SetQueueAttributes", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called SetQueueAttributes %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policySQSEncryption, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "a legacy consumer cannot read encrypted messages yet"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if v, _ := s.cloud.QueueAttribute(Account, name, "SqsManagedSseEnabled"); v != "false" {
		t.Errorf("SqsManagedSseEnabled after undo = %q, want false again", v)
	}
	wantExempt(t, queueTags(ctx, t, client, aws.ToString(out.QueueUrl)), policySQSEncryption)
}

// TestSQSQueueEncryptedWithConfiguredKey: with remediation.
// sqs.kms_master_key_id set, a queue the human turns SSE off on
// (SetQueueAttributes, an existing queue) is encrypted with that key.
func TestSQSQueueEncryptedWithConfiguredKey(t *testing.T) {
	ctx := context.Background()
	const key = "alias/orders-queues"
	s := newStack(t, func(c *config.Config) {
		c.Remediation = map[string]any{"sqs": map[string]any{"kms_master_key_id": key}}
	})
	name := "payments" + s.suffix
	client := sqs.NewFromConfig(s.human())
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)}) // SSE-SQS: compliant
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: out.QueueUrl, Attributes: map[string]string{"SqsManagedSseEnabled": "false"}}); err != nil {
		t.Fatal(err)
	}
	ref := queueRef(name)
	s.waitState(contract.RemediationID(policySQSEncryption, ref.ARN), contract.StateResolved)
	if v, _ := s.cloud.QueueAttribute(Account, name, "KmsMasterKeyId"); v != key {
		t.Errorf("KmsMasterKeyId after the remediation = %q, want the configured %s", v, key)
	}
	s.wantResolvedFinding(ctx, policySQSEncryption, ref)
}
