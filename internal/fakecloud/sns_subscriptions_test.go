package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
)

// TestSNSSubscriptions: the real SNS client subscribes an SQS queue
// (confirmed at once) and an email address (pending until confirmed),
// lists and counts them, and unsubscribes; Subscribe and Unsubscribe are
// CloudTrail events, and deleting the topic drops its subscriptions.
func TestSNSSubscriptions(t *testing.T) {
	c, cfg := startCloud(t)
	client := sns.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	topic, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	topicARN := aws.ToString(topic.TopicArn)
	queue := "arn:aws:sqs:us-east-1:" + DefaultAccount + ":alerts"

	sub, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topicARN, Protocol: aws.String("sqs"), Endpoint: aws.String(queue)})
	if err != nil {
		t.Fatal(err)
	}
	queueSub := aws.ToString(sub.SubscriptionArn)
	if !strings.HasPrefix(queueSub, topicARN+":") {
		t.Errorf("SQS subscription ARN %q", queueSub)
	}
	rec := tap.last(t, "Subscribe")
	if p := rec["requestParameters"].(map[string]any); p["topicArn"] != topicARN || p["protocol"] != "sqs" || p["endpoint"] != queue ||
		rec["responseElements"].(map[string]any)["subscriptionArn"] != queueSub {
		t.Errorf("Subscribe record = %v / %v", rec["requestParameters"], rec["responseElements"])
	}
	again, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topicARN, Protocol: aws.String("sqs"), Endpoint: aws.String(queue)})
	if err != nil || aws.ToString(again.SubscriptionArn) != queueSub {
		t.Errorf("subscribing the same endpoint again: %v, %v; want %s", aws.ToString(again.SubscriptionArn), err, queueSub)
	}
	mail, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topicARN, Protocol: aws.String("email"), Endpoint: aws.String("secops@example.com")})
	if err != nil || aws.ToString(mail.SubscriptionArn) != "pending confirmation" {
		t.Errorf("email Subscribe = %v, %v; want pending confirmation", aws.ToString(mail.SubscriptionArn), err)
	}

	list := func() []string {
		t.Helper()
		var got []string
		pager := sns.NewListSubscriptionsByTopicPaginator(client, &sns.ListSubscriptionsByTopicInput{TopicArn: &topicARN})
		for pager.HasMorePages() {
			out, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range out.Subscriptions {
				if aws.ToString(s.TopicArn) != topicARN || aws.ToString(s.Owner) != DefaultAccount {
					t.Errorf("subscription %+v", s)
				}
				got = append(got, aws.ToString(s.Protocol)+" "+aws.ToString(s.Endpoint)+" "+aws.ToString(s.SubscriptionArn))
			}
		}
		return got
	}
	counts := func() string {
		t.Helper()
		out, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topicARN})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes["SubscriptionsConfirmed"] + "/" + out.Attributes["SubscriptionsPending"]
	}
	if got, want := list(), []string{"sqs " + queue + " " + queueSub, "email secops@example.com PendingConfirmation"}; !slices.Equal(got, want) {
		t.Errorf("ListSubscriptionsByTopic = %v, want %v", got, want)
	}
	if got := counts(); got != "1/1" {
		t.Errorf("confirmed/pending = %s, want 1/1", got)
	}
	if n, err := c.ConfirmSubscriptions(DefaultAccount, DefaultRegion, "alerts"); err != nil || n != 1 {
		t.Errorf("ConfirmSubscriptions = %d, %v", n, err)
	}
	if got := counts(); got != "2/0" {
		t.Errorf("confirmed/pending after confirming = %s, want 2/0", got)
	}

	if _, err := client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &queueSub}); err != nil {
		t.Fatal(err)
	}
	if p := tap.last(t, "Unsubscribe")["requestParameters"].(map[string]any); p["subscriptionArn"] != queueSub {
		t.Errorf("Unsubscribe requestParameters = %v", p)
	}
	if got := list(); len(got) != 1 || !strings.HasPrefix(got[0], "email secops@example.com "+topicARN+":") {
		t.Errorf("after Unsubscribe: %v", got)
	}
	_, err = client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &queueSub})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("second Unsubscribe: %v, want NotFoundException", err)
	}

	// A topic made again under the same name starts with no subscribers.
	if _, err := client.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &topicARN}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")}); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 0 {
		t.Errorf("recreated topic lists %v", got)
	}
}

// TestSNSSubscriptionPages: ListSubscriptionsByTopic pages by 100, and the
// SDK's paginator reads every page.
func TestSNSSubscriptionPages(t *testing.T) {
	c, cfg := startCloud(t)
	client := sns.NewFromConfig(cfg)
	ctx := context.Background()
	if err := c.SeedTopic(DefaultAccount, TopicSeed{Name: "many"}); err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		if _, err := c.SeedSubscription(DefaultAccount, SubscriptionSeed{Topic: "many", Protocol: "sqs", Endpoint: fmt.Sprintf("arn:aws:sqs:us-east-1:%s:q%d", DefaultAccount, i)}); err != nil {
			t.Fatal(err)
		}
	}
	topicARN := snsTopicARN(DefaultRegion, DefaultAccount, "many")
	first, err := client.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topicARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Subscriptions) != 100 || first.NextToken == nil {
		t.Fatalf("first page: %d subscriptions, token %v", len(first.Subscriptions), first.NextToken)
	}
	total := 0
	pager := sns.NewListSubscriptionsByTopicPaginator(client, &sns.ListSubscriptionsByTopicInput{TopicArn: &topicARN})
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total += len(out.Subscriptions)
	}
	if total != 150 {
		t.Errorf("paginator read %d subscriptions, want 150", total)
	}
}

// TestSNSSubscribeErrors: what SNS refuses, the fake refuses with its
// codes, and records.
func TestSNSSubscribeErrors(t *testing.T) {
	c, cfg := startCloud(t)
	client := sns.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	if err := c.SeedTopic(DefaultAccount, TopicSeed{Name: "alerts"}); err != nil {
		t.Fatal(err)
	}
	topicARN := snsTopicARN(DefaultRegion, DefaultAccount, "alerts")
	for _, tc := range []struct {
		name                      string
		topic, protocol, endpoint string
		code                      string
	}{
		{"no such topic", snsTopicARN(DefaultRegion, DefaultAccount, "nope"), "email", "a@example.com", "NotFound"},
		{"unknown protocol", topicARN, "pigeon", "a@example.com", "InvalidParameter"},
		{"email without @", topicARN, "email", "secops", "InvalidParameter"},
		{"sqs endpoint not an ARN", topicARN, "sqs", "https://sqs.us-east-1.amazonaws.com/1/q", "InvalidParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &tc.topic, Protocol: &tc.protocol, Endpoint: &tc.endpoint})
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code {
				t.Fatalf("Subscribe: %v, want %s", err, tc.code)
			}
			if rec := tap.last(t, "Subscribe"); rec["errorCode"] != tc.code {
				t.Errorf("record errorCode = %v", rec["errorCode"])
			}
		})
	}
	if _, err := c.SeedSubscription(DefaultAccount, SubscriptionSeed{Topic: "nope", Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:1:q"}); err == nil {
		t.Error("SeedSubscription to a missing topic succeeded")
	}
}
