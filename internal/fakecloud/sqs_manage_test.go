package fakecloud

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestSQSEncryptionAttributes: new queues get SSE-SQS unless they ask for
// a KMS key or turn it off; a key turns SSE-SQS off, asking for both is
// refused, and each change is a CloudTrail management event naming the
// queue by its AWS URL.
func TestSQSEncryptionAttributes(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	tap := tapEvents(c)
	sse := func(q string) (string, string) {
		t.Helper()
		out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameSqsManagedSseEnabled, types.QueueAttributeNameKmsMasterKeyId}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes["SqsManagedSseEnabled"], out.Attributes["KmsMasterKeyId"]
	}
	def := mustCreateQueue(t, client, "default", nil)
	if m, k := sse(def); m != "true" || k != "" {
		t.Errorf("new queue: SqsManagedSseEnabled=%q KmsMasterKeyId=%q, want SSE-SQS", m, k)
	}
	plain := mustCreateQueue(t, client, "plain", map[string]string{"SqsManagedSseEnabled": "false"})
	if m, _ := sse(plain); m != "false" {
		t.Errorf("queue created without SSE: SqsManagedSseEnabled=%q", m)
	}
	created := tap.last(t, "CreateQueue")
	if rp := created["requestParameters"].(map[string]any); rp["queueName"] != "plain" {
		t.Errorf("CreateQueue requestParameters = %v", rp)
	}
	if re := created["responseElements"].(map[string]any); re["queueUrl"] != "https://sqs.us-east-1.amazonaws.com/"+DefaultAccount+"/plain" {
		t.Errorf("CreateQueue responseElements = %v", re)
	}

	if _, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &plain, Attributes: map[string]string{"KmsMasterKeyId": "alias/orders"}}); err != nil {
		t.Fatal(err)
	}
	if m, k := sse(plain); m != "false" || k != "alias/orders" {
		t.Errorf("after a KMS key: SqsManagedSseEnabled=%q KmsMasterKeyId=%q", m, k)
	}
	set := tap.last(t, "SetQueueAttributes")
	if rp := set["requestParameters"].(map[string]any); rp["queueUrl"] != plain || rp["attributes"].(map[string]any)["KmsMasterKeyId"] != "alias/orders" {
		t.Errorf("SetQueueAttributes requestParameters = %v", rp)
	}
	_, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &plain, Attributes: map[string]string{"KmsMasterKeyId": "alias/x", "SqsManagedSseEnabled": "true"}})
	wantAPIError(t, err, "InvalidAttributeName")
	if d := tap.last(t, "SetQueueAttributes"); d["errorCode"] != "InvalidAttributeName" {
		t.Errorf("a refused SetQueueAttributes is recorded with its error, got %v", d["errorCode"])
	}
	if _, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &plain, Attributes: map[string]string{"KmsMasterKeyId": "", "SqsManagedSseEnabled": "false"}}); err != nil {
		t.Fatal(err)
	}
	if m, k := sse(plain); m != "false" || k != "" {
		t.Errorf("after turning both off: SqsManagedSseEnabled=%q KmsMasterKeyId=%q", m, k)
	}
	if v, ok := c.QueueAttribute(DefaultAccount, "default", "SqsManagedSseEnabled"); !ok || v != "true" {
		t.Errorf("QueueAttribute = %q, %t", v, ok)
	}
}

// TestSQSListQueuesAndTags: ListQueues pages in name order with MaxResults
// and filters by prefix; tags are kept from CreateQueue, merged by TagQueue
// and removed by UntagQueue.
func TestSQSListQueuesAndTags(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	for i := range 5 {
		mustCreateQueue(t, client, fmt.Sprintf("q%d", i), nil)
	}
	var names []string
	in := &sqs.ListQueuesInput{MaxResults: aws.Int32(2)}
	for pages := 0; ; pages++ {
		out, err := client.ListQueues(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.QueueUrls {
			names = append(names, u[strings.LastIndex(u, "/")+1:])
		}
		if out.NextToken == nil {
			if pages != 2 {
				t.Errorf("pages = %d, want 3", pages+1)
			}
			break
		}
		in.NextToken = out.NextToken
	}
	if strings.Join(names, ",") != "q0,q1,q2,q3,q4" {
		t.Errorf("listed %v", names)
	}
	out, err := client.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("q3")})
	if err != nil || len(out.QueueUrls) != 1 {
		t.Errorf("prefix q3: %v, %v", out.QueueUrls, err)
	}

	tagged, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"team": "web"}})
	if err != nil {
		t.Fatal(err)
	}
	tap := tapEvents(c)
	if _, err := client.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: tagged.QueueUrl, Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: tagged.QueueUrl, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: tagged.QueueUrl})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "prod" {
		t.Errorf("tags = %v, %v; want env=prod only", tags.Tags, err)
	}
	tap.last(t, "TagQueue")
	tap.last(t, "UntagQueue")
}
