package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// TestSNSTopics: the real SNS client creates, reads, encrypts and tags a
// topic over the Query protocol; each change is a CloudTrail event in the
// documented shape, and errors come back typed.
func TestSNSTopics(t *testing.T) {
	c, cfg := startCloud(t)
	client := sns.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)

	out, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TopicArn)
	if arn != "arn:aws:sns:us-east-1:"+DefaultAccount+":alerts" {
		t.Fatalf("TopicArn = %s", arn)
	}
	created := tap.last(t, "CreateTopic")
	if created["requestParameters"].(map[string]any)["name"] != "alerts" || created["responseElements"].(map[string]any)["topicArn"] != arn {
		t.Errorf("CreateTopic record = %v / %v", created["requestParameters"], created["responseElements"])
	}
	key := func() string {
		t.Helper()
		a, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		if a.Attributes["TopicArn"] != arn || a.Attributes["Policy"] == "" {
			t.Errorf("attributes = %v", a.Attributes)
		}
		return a.Attributes["KmsMasterKeyId"]
	}
	if k := key(); k != "" {
		t.Errorf("new topic KmsMasterKeyId = %q, want none", k)
	}
	if _, err := client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("alias/aws/sns")}); err != nil {
		t.Fatal(err)
	}
	if k := key(); k != "alias/aws/sns" {
		t.Errorf("KmsMasterKeyId = %q after SetTopicAttributes", k)
	}
	set := tap.last(t, "SetTopicAttributes")["requestParameters"].(map[string]any)
	if set["topicArn"] != arn || set["attributeName"] != "KmsMasterKeyId" || set["attributeValue"] != "alias/aws/sns" {
		t.Errorf("SetTopicAttributes requestParameters = %v", set)
	}
	if _, err := client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("")}); err != nil {
		t.Fatal(err)
	}
	if k := key(); k != "" {
		t.Errorf("KmsMasterKeyId = %q after clearing it", k)
	}

	if _, err := client.TagResource(ctx, &sns.TagResourceInput{ResourceArn: &arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := client.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags = %+v, %v", tags, err)
	}
	tap.last(t, "TagResource")

	missing := "arn:aws:sns:us-east-1:" + DefaultAccount + ":missing"
	_, err = client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &missing})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing topic: %v, want NotFoundException", err)
	}
	_, err = client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &arn, AttributeName: aws.String("Colour"), AttributeValue: aws.String("blue")})
	wantAPIError(t, err, "InvalidParameter")
	if d := tap.last(t, "SetTopicAttributes"); d["errorCode"] != "InvalidParameter" {
		t.Errorf("a refused SetTopicAttributes is recorded with its error, got %v", d["errorCode"])
	}
	if _, err := client.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.TopicKey(DefaultAccount, "us-east-1", "alerts"); ok {
		t.Error("the topic survived DeleteTopic")
	}
}

// TestSNSListTopicsPages: ListTopics returns 100 topics a page, in name
// order, and only the caller's region.
func TestSNSListTopicsPages(t *testing.T) {
	c, cfg := startCloud(t)
	for i := range 150 {
		if err := c.SeedTopic(DefaultAccount, TopicSeed{Name: fmt.Sprintf("t%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SeedTopic(DefaultAccount, TopicSeed{Region: "eu-west-1", Name: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	var arns []string
	pages := sns.NewListTopicsPaginator(sns.NewFromConfig(cfg), &sns.ListTopicsInput{})
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, tp := range page.Topics {
			arns = append(arns, aws.ToString(tp.TopicArn))
		}
	}
	if n != 2 || len(arns) != 150 || arns[0] != "arn:aws:sns:us-east-1:"+DefaultAccount+":t000" || arns[149] != "arn:aws:sns:us-east-1:"+DefaultAccount+":t149" {
		t.Errorf("%d pages, %d topics (%v … %v)", n, len(arns), arns[0], arns[len(arns)-1])
	}
}
