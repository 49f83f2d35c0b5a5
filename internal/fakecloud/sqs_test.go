package fakecloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// newSQS starts a cloud and returns it with an SQS client of the admin.
func newSQS(t *testing.T) (*Cloud, *sqs.Client) {
	t.Helper()
	c, cfg := startCloud(t)
	return c, sqs.NewFromConfig(cfg)
}

func mustCreateQueue(t *testing.T, client *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// wantAPIError fails unless err is an API error with the given code.
func wantAPIError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s (%v)", code, apiErr.ErrorCode(), err)
	}
	return apiErr
}

// rawCall sends a request with a credential scope but no real signature,
// which is all the fake cloud reads, to test what no SDK would send.
func rawCall(t *testing.T, base, service, method, path string, header map[string]string, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", fmt.Sprintf(
		"AWS4-HMAC-SHA256 Credential=%s/20260101/%s/%s/aws4_request, SignedHeaders=host, Signature=0", DefaultAccessKeyID, DefaultRegion, service))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v (did the handler panic?)", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestSQSErrors(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "orders", map[string]string{"VisibilityTimeout": "30"})
	c.AddUser(DefaultAccount, "no-sqs", "AKIAFAKENOSQS0000001", "secret", "sqs:*")
	denied := sqs.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKENOSQS0000001", "secret", ""))
	unknown := sqs.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKEUNKNOWN00001", "secret", ""))
	c.AddUser("222222222222", "other", "AKIAFAKEOTHER0000001", "secret")
	other := sqs.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKEOTHER0000001", "secret", ""))

	// A handle whose visibility was already given back, for MessageNotInflight.
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	rec, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q})
	if err != nil || len(rec.Messages) != 1 {
		t.Fatalf("receive: %v %v", rec, err)
	}
	released := rec.Messages[0].ReceiptHandle
	if _, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &q, ReceiptHandle: released, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}

	entries := func(ids ...string) []types.SendMessageBatchRequestEntry {
		out := []types.SendMessageBatchRequestEntry{}
		for _, id := range ids {
			out = append(out, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("b")})
		}
		return out
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "e" + strconv.Itoa(i)
	}

	tests := []struct {
		name string
		call func() error
		code string
		// typed, when set, must match the error with errors.As.
		typed any
	}{
		{"unknown queue", func() error {
			_, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue", new(*types.QueueDoesNotExist)},
		{"send to unknown queue URL", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(strings.Replace(q, "orders", "nope", 1)), MessageBody: aws.String("x")})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue", new(*types.QueueDoesNotExist)},
		{"queue exists with other attributes", func() error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "60"}})
			return err
		}, "QueueAlreadyExists", new(*types.QueueNameExists)},
		{"attribute out of range", func() error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"VisibilityTimeout": "43201"}})
			return err
		}, "InvalidAttributeValue", new(*types.InvalidAttributeValue)},
		{"unknown attribute", func() error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"Colour": "blue"}})
			return err
		}, "InvalidAttributeName", new(*types.InvalidAttributeName)},
		{"redrive to a missing queue", func() error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{
				"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:missing","maxReceiveCount":"3"}`}})
			return err
		}, "InvalidAttributeValue", nil},
		{"invalid queue name", func() error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("has space")})
			return err
		}, "InvalidParameterValue", nil},
		{"FIFO is not emulated", func() error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs.fifo")})
			return err
		}, "InvalidParameterValue", nil},
		{"unknown queue attribute name", func() error {
			_, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q, AttributeNames: []types.QueueAttributeName{"Colour"}})
			return err
		}, "InvalidAttributeName", nil},
		{"too many messages asked", func() error {
			_, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, MaxNumberOfMessages: 11})
			return err
		}, "InvalidParameterValue", nil},
		{"wait too long", func() error {
			_, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 21})
			return err
		}, "InvalidParameterValue", nil},
		{"empty body", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("")})
			return err
		}, "MissingParameter", nil},
		{"invalid character", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("nul\x00")})
			return err
		}, "InvalidMessageContents", new(*types.InvalidMessageContents)},
		{"body too large", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String(strings.Repeat("x", 262145))})
			return err
		}, "InvalidParameterValue", nil},
		{"message delay too long", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("x"), DelaySeconds: 901})
			return err
		}, "InvalidParameterValue", nil},
		{"message attribute without value", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String")}}})
			return err
		}, "InvalidParameterValue", nil},
		{"message attribute of unknown type", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("Date"), StringValue: aws.String("v")}}})
			return err
		}, "InvalidParameterValue", nil},
		{"reserved message attribute name", func() error {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"AWS.trace": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
			return err
		}, "InvalidParameterValue", nil},
		{"empty batch", func() error {
			_, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q, Entries: entries()})
			return err
		}, "AWS.SimpleQueueService.EmptyBatchRequest", new(*types.EmptyBatchRequest)},
		{"batch too large", func() error {
			_, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q, Entries: entries(eleven...)})
			return err
		}, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", new(*types.TooManyEntriesInBatchRequest)},
		{"batch ids repeat", func() error {
			_, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q, Entries: entries("a", "a")})
			return err
		}, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", new(*types.BatchEntryIdsNotDistinct)},
		{"batch id invalid", func() error {
			_, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q, Entries: entries("a b")})
			return err
		}, "AWS.SimpleQueueService.InvalidBatchEntryId", new(*types.InvalidBatchEntryId)},
		{"delete with a forged handle", func() error {
			_, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: aws.String("forged")})
			return err
		}, "ReceiptHandleIsInvalid", new(*types.ReceiptHandleIsInvalid)},
		{"visibility of a message not in flight", func() error {
			_, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &q, ReceiptHandle: released, VisibilityTimeout: 10})
			return err
		}, "AWS.SimpleQueueService.MessageNotInflight", new(*types.MessageNotInflight)},
		{"operation not emulated", func() error {
			_, err := client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &q})
			return err
		}, "AWS.SimpleQueueService.UnsupportedOperation", new(*types.UnsupportedOperation)},
		{"unknown access key", func() error {
			_, err := unknown.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
			return err
		}, "InvalidClientTokenId", nil},
		{"principal denied sqs", func() error {
			_, err := denied.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("x")})
			return err
		}, "AccessDenied", nil},
		{"queue of another account", func() error {
			_, err := other.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("x")})
			return err
		}, "AccessDenied", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code)
			if tt.typed != nil && !errors.As(err, tt.typed) {
				t.Fatalf("error %T does not match %T", err, tt.typed)
			}
		})
	}
}

// TestSQSBadInput sends what no SDK would: the service must answer with a
// client error, never panic or 500.
func TestSQSBadInput(t *testing.T) {
	c, client := newSQS(t)
	q := mustCreateQueue(t, client, "orders", nil)
	tests := []struct {
		target, body, code string
	}{
		{"AmazonSQS.SendMessage", `{not json`, "SerializationException"},
		{"AmazonSQS.SendMessage", `{"QueueUrl": 5}`, "SerializationException"},
		{"AmazonSQS.ReceiveMessage", `{"QueueUrl": "` + q + `", "MaxNumberOfMessages": "ten"}`, "SerializationException"},
		{"AmazonSQS.ReceiveMessage", ``, "MissingParameter"},
		{"AmazonSQS.DeleteMessageBatch", `{"QueueUrl": "` + q + `", "Entries": null}`, "AWS.SimpleQueueService.EmptyBatchRequest"},
		{"AmazonSQS.SendMessage", `{"QueueUrl": "not a url", "MessageBody": "x"}`, "InvalidAddress"},
		{"AmazonSQS.ChangeMessageVisibility", `{"QueueUrl": "` + q + `", "ReceiptHandle": "x"}`, "MissingParameter"},
		{"AmazonSQS.CreateQueue", `{"QueueName": "q", "Attributes": {"RedrivePolicy": "[]"}}`, "InvalidAttributeValue"},
		{"", `{}`, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.body, func(t *testing.T) {
			status, header, body := rawCall(t, c.URL(), "sqs", http.MethodPost, "/",
				map[string]string{"X-Amz-Target": tt.target, "Content-Type": sqsContentType}, tt.body)
			if status < 400 || status >= 500 {
				t.Fatalf("status %d, want a 4xx: %s", status, body)
			}
			if got := strings.Split(header.Get("x-amzn-query-error"), ";")[0]; got != tt.code {
				t.Fatalf("x-amzn-query-error %q, want %s: %s", header.Get("x-amzn-query-error"), tt.code, body)
			}
			var e struct {
				Type string `json:"__type"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
				t.Fatalf("error body %s: %v", body, err)
			}
		})
	}
}

func TestSQSQueueURLAndAttributes(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	dlq := mustCreateQueue(t, client, "events-dlq", nil)
	redrive := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:events-dlq","maxReceiveCount":"3"}`
	attrs := map[string]string{"VisibilityTimeout": "45", "RedrivePolicy": redrive, "MessageRetentionPeriod": "3600", "ReceiveMessageWaitTimeSeconds": "2"}
	q := mustCreateQueue(t, client, "events", attrs)

	host := strings.TrimPrefix(c.URL(), "http://")
	if want := "http://" + host + "/123456789012/events"; q != want {
		t.Fatalf("queue URL %s, want %s", q, want)
	}
	if again := mustCreateQueue(t, client, "events", attrs); again != q {
		t.Fatalf("idempotent create returned %s, want %s", again, q)
	}
	got, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("events")})
	if err != nil || aws.ToString(got.QueueUrl) != q {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("one")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q}); err != nil {
		t.Fatal(err)
	}

	all, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"QueueArn":                              "arn:aws:sqs:us-east-1:123456789012:events",
		"ApproximateNumberOfMessages":           "1",
		"ApproximateNumberOfMessagesNotVisible": "1",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"VisibilityTimeout":                     "45",
		"MessageRetentionPeriod":                "3600",
		"ReceiveMessageWaitTimeSeconds":         "2",
		"RedrivePolicy":                         `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:events-dlq","maxReceiveCount":3}`,
	}
	for k, v := range want {
		if all.Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, all.Attributes[k], v)
		}
	}
	one, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &dlq, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil || len(one.Attributes) != 1 || one.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:123456789012:events-dlq" {
		t.Fatalf("QueueArn only: %v, %v", one, err)
	}

	// The same queue, seen from the Go API, with the numeric count given
	// as a number this time: equal attributes, so still idempotent.
	goURL, err := c.CreateQueue(QueueSeed{Name: "events", Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:events-dlq","maxReceiveCount":3}`}})
	if err != nil || goURL != q {
		t.Fatalf("CreateQueue Go API = %s, %v; want %s", goURL, err, q)
	}
	visible, inFlight, err := c.QueueDepth(q)
	if err != nil || visible != 1 || inFlight != 1 {
		t.Fatalf("QueueDepth = %d, %d, %v; want 1, 1", visible, inFlight, err)
	}
	if _, _, err := c.QueueDepth("http://x/123456789012/missing"); err == nil {
		t.Fatal("QueueDepth of a missing queue: want an error")
	}
}

func TestSQSSendReceiveDelete(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "work", nil) // a management event, recorded
	tap := tapEvents(c)

	body := `{"detail-type":"AWS API Call via CloudTrail","ünïcode":"✓"}`
	sent, err := client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: &q, MessageBody: &body,
		MessageAttributes: map[string]types.MessageAttributeValue{
			"ordinal":  {DataType: aws.String("Number"), StringValue: aws.String("1")},
			"category": {DataType: aws.String("String"), StringValue: aws.String("test")},
		},
	})
	if err != nil {
		t.Fatal(err) // the SDK checks MD5OfMessageBody itself
	}
	if got := aws.ToString(sent.MD5OfMessageAttributes); got != "d21ae90c49061e927f57df5f5d72be1f" {
		t.Fatalf("MD5OfMessageAttributes = %s", got)
	}

	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &q, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(out.Messages))
	}
	m := out.Messages[0]
	if aws.ToString(m.Body) != body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("message = %+v", m)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SenderId"] == "" || m.Attributes["SentTimestamp"] == "" || m.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
		t.Fatalf("system attributes = %v", m.Attributes)
	}
	if len(m.MessageAttributes) != 2 || aws.ToString(m.MD5OfMessageAttributes) != "d21ae90c49061e927f57df5f5d72be1f" {
		t.Fatalf("message attributes = %v (md5 %s)", m.MessageAttributes, aws.ToString(m.MD5OfMessageAttributes))
	}
	binary, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("bin"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"blob":      {DataType: aws.String("Binary.gz"), BinaryValue: []byte{0, 1, 2, 255}},
			"trace.id":  {DataType: aws.String("String"), StringValue: aws.String("t-1")},
			"other.key": {DataType: aws.String("Number.int"), StringValue: aws.String("7")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	// A prefix selects a subset; its MD5 covers only what is returned.
	sub, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, MessageAttributeNames: []string{"trace.*", "blob"}})
	if err != nil || len(sub.Messages) != 1 {
		t.Fatalf("receive binary: %v, %v", sub, err)
	}
	bm := sub.Messages[0]
	if len(bm.MessageAttributes) != 2 || !bytes.Equal(bm.MessageAttributes["blob"].BinaryValue, []byte{0, 1, 2, 255}) ||
		aws.ToString(bm.MD5OfMessageAttributes) == aws.ToString(binary.MD5OfMessageAttributes) {
		t.Fatalf("selected attributes = %v (md5 %s, all %s)", bm.MessageAttributes, aws.ToString(bm.MD5OfMessageAttributes), aws.ToString(binary.MD5OfMessageAttributes))
	}
	if want := sqsAttributesMD5(map[string]sqsAttributeValue{
		"blob":     {DataType: "Binary.gz", BinaryValue: []byte{0, 1, 2, 255}},
		"trace.id": {DataType: "String", StringValue: "t-1"},
	}); aws.ToString(bm.MD5OfMessageAttributes) != want {
		t.Fatalf("MD5 of selected attributes = %s, want %s", aws.ToString(bm.MD5OfMessageAttributes), want)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: bm.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if visible, inFlight, _ := c.QueueDepth(q); visible != 0 || inFlight != 1 {
		t.Fatalf("depth after receive = %d, %d; want 0, 1", visible, inFlight)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// Deleting twice succeeds, as in AWS, so a retried delete is harmless.
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if visible, inFlight, _ := c.QueueDepth(q); visible != 0 || inFlight != 0 {
		t.Fatalf("depth after delete = %d, %d", visible, inFlight)
	}
	tap.mu.Lock()
	defer tap.mu.Unlock()
	if len(tap.events) != 0 {
		t.Fatalf("SQS calls wrote %d CloudTrail events, want none (data events)", len(tap.events))
	}
}

func TestSQSMessageAttributesMD5(t *testing.T) {
	// Vectors from the SQS developer guide's algorithm, as other SDKs test it.
	tests := []struct {
		attrs map[string]sqsAttributeValue
		want  string
	}{
		{map[string]sqsAttributeValue{"SellerName": {DataType: "String", StringValue: "Example Store"}}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{map[string]sqsAttributeValue{"ordinal": {DataType: "Number", StringValue: "1"}, "category": {DataType: "String", StringValue: "test"}}, "d21ae90c49061e927f57df5f5d72be1f"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := sqsAttributesMD5(tt.attrs); got != tt.want {
			t.Errorf("md5(%v) = %s, want %s", tt.attrs, got, tt.want)
		}
	}
}

func TestSQSBatches(t *testing.T) {
	_, client := newSQS(t)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "batch", nil)
	sent, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("alpha")},
		{Id: aws.String("b"), MessageBody: aws.String("bad\x01")},
		{Id: aws.String("c"), MessageBody: aws.String("gamma"), DelaySeconds: 0},
	}})
	if err != nil {
		t.Fatal(err) // the SDK checks each successful entry's MD5
	}
	if len(sent.Successful) != 2 || len(sent.Failed) != 1 {
		t.Fatalf("successful %d, failed %d; want 2, 1", len(sent.Successful), len(sent.Failed))
	}
	if f := sent.Failed[0]; aws.ToString(f.Id) != "b" || aws.ToString(f.Code) != "InvalidMessageContents" || !f.SenderFault {
		t.Fatalf("failed entry = %+v", f)
	}
	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("receive: %d messages, %v", len(got.Messages), err)
	}
	del, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &q, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("1"), ReceiptHandle: got.Messages[0].ReceiptHandle},
		{Id: aws.String("2"), ReceiptHandle: got.Messages[1].ReceiptHandle},
		{Id: aws.String("3"), ReceiptHandle: aws.String("forged")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 2 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch: %+v", del)
	}
}

// controlledClock is a clock a test moves by hand.
type controlledClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *controlledClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *controlledClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// startCloudWithClock is startCloud with a clock the test controls.
func startCloudWithClock(t *testing.T) (*Cloud, aws.Config, *controlledClock) {
	t.Helper()
	clock := &controlledClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := New(Options{Now: clock.Now})
	base, err := c.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, sdkConfig(base, DefaultAccessKeyID, DefaultSecretAccessKey, ""), clock
}

func TestSQSVisibilityTimeout(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	client := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "vis", map[string]string{"VisibilityTimeout": "30"})
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	receive := func() []types.Message {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameApproximateFirstReceiveTimestamp}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	first := receive()
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", first)
	}
	if again := receive(); len(again) != 0 {
		t.Fatalf("message visible during its visibility timeout")
	}
	clock.Advance(29 * time.Second)
	if again := receive(); len(again) != 0 {
		t.Fatalf("message visible 1s before its timeout ends")
	}
	clock.Advance(2 * time.Second)
	second := receive()
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v", second)
	}
	if aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Fatal("receipt handle reused across receives")
	}
	if second[0].Attributes["ApproximateFirstReceiveTimestamp"] != first[0].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Fatal("ApproximateFirstReceiveTimestamp changed on the second receive")
	}
	_, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: first[0].ReceiptHandle})
	wantAPIError(t, err, "ReceiptHandleIsInvalid")

	// A per-receive visibility timeout overrides the queue's.
	clock.Advance(31 * time.Second)
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, VisibilityTimeout: 300})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive with override: %v, %v", out, err)
	}
	clock.Advance(31 * time.Second)
	if again := receive(); len(again) != 0 {
		t.Fatal("VisibilityTimeout override ignored")
	}
	// ChangeMessageVisibility 0 hands the message back at once.
	if _, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &q, ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	if visible, inFlight, _ := c.QueueDepth(q); visible != 1 || inFlight != 0 {
		t.Fatalf("depth after visibility 0 = %d, %d", visible, inFlight)
	}
	last := receive()
	if len(last) != 1 || last[0].Attributes["ApproximateReceiveCount"] != "4" {
		t.Fatalf("receive after visibility 0 = %+v", last)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: last[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
}

func TestSQSRetentionAndDelay(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	client := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "short", map[string]string{"MessageRetentionPeriod": "60", "DelaySeconds": "5"})
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	if visible, inFlight, _ := c.QueueDepth(q); visible != 0 || inFlight != 0 {
		t.Fatalf("delayed message counted as %d visible, %d in flight", visible, inFlight)
	}
	clock.Advance(5 * time.Second)
	if visible, _, _ := c.QueueDepth(q); visible != 1 {
		t.Fatal("message not visible after its delay")
	}
	clock.Advance(60 * time.Second)
	if visible, _, _ := c.QueueDepth(q); visible != 0 {
		t.Fatal("message kept past its retention period")
	}
}

func TestSQSRedriveToDeadLetterQueue(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	client := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	dlq := mustCreateQueue(t, client, "events-dlq", nil)
	q := mustCreateQueue(t, client, "events", map[string]string{
		"VisibilityTimeout": "10",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:events-dlq","maxReceiveCount":"2"}`,
	})
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("unparseable")}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive %d: %v, %v", i, out, err)
		}
		clock.Advance(11 * time.Second) // never deleted: the consumer could not parse it
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("third receive delivered %d messages (%v); want the message moved to the DLQ", len(out.Messages), err)
	}
	if visible, inFlight, _ := c.QueueDepth(q); visible+inFlight != 0 {
		t.Fatalf("source queue still holds %d+%d messages", visible, inFlight)
	}
	moved, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
	if err != nil || len(moved.Messages) != 1 {
		t.Fatalf("DLQ receive: %v, %v", moved, err)
	}
	if m := moved.Messages[0]; aws.ToString(m.Body) != "unparseable" || m.Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:123456789012:events" {
		t.Fatalf("DLQ message = %+v", m)
	}
}

func TestSQSLongPoll(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "poll", nil)

	t.Run("returns as soon as a message arrives", func(t *testing.T) {
		go func() {
			time.Sleep(300 * time.Millisecond)
			if err := c.sqs.deliver(q, "late"); err != nil {
				t.Error(err)
			}
		}()
		start := time.Now()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 20})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("long poll: %v, %v", out, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("long poll took %s after the message arrived", d)
		}
		if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("returns when a visibility timeout runs out", func(t *testing.T) {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q, MessageBody: aws.String("retry")}); err != nil {
			t.Fatal(err)
		}
		if out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, VisibilityTimeout: 1}); err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive: %v, %v", out, err)
		}
		start := time.Now()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 10})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("long poll: %v, %v", out, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("long poll took %s for a 1s visibility timeout", d)
		}
	})
	t.Run("waits its time on an empty queue", func(t *testing.T) {
		empty := mustCreateQueue(t, client, "empty", nil)
		start := time.Now()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &empty, WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) != 0 {
			t.Fatalf("long poll: %v, %v", out, err)
		}
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Fatalf("empty long poll returned after %s, want about 1s", d)
		}
	})
}

func TestSQSCloseWakesLongPolls(t *testing.T) {
	c, client := newSQS(t)
	q := mustCreateQueue(t, client, "idle", nil)
	done := make(chan error, 1)
	go func() {
		_, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &q, WaitTimeSeconds: 20})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("long poll after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll still waiting after Close")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %s with a long poll open", d)
	}
}

func TestSQSDeliver(t *testing.T) {
	c, client := newSQS(t)
	q := mustCreateQueue(t, client, "events", nil) // a management event, recorded
	tap := tapEvents(c)
	// EventBridge delivers by account and name, whatever host the URL has.
	elsewhere := "https://sqs.us-east-1.amazonaws.com/123456789012/events"
	if err := c.sqs.deliver(elsewhere, `{"detail":{}}`); err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &q,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameSenderId}})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != `{"detail":{}}` {
		t.Fatalf("receive delivered message: %v, %v", out, err)
	}
	if out.Messages[0].Attributes["SenderId"] != eventBridgeSenderID {
		t.Fatalf("SenderId = %q", out.Messages[0].Attributes["SenderId"])
	}
	for _, bad := range []string{"http://host/123456789012/missing", "not a url", "http://host/only-one-part"} {
		if err := c.sqs.deliver(bad, "x"); err == nil {
			t.Errorf("deliver(%q): want an error", bad)
		}
	}
	if n := len(tap.events); n != 0 {
		t.Fatalf("deliver wrote %d CloudTrail events", n)
	}
}

// TestSQSConcurrency runs producers and consumers at once; run with -race.
func TestSQSConcurrency(t *testing.T) {
	c, client := newSQS(t)
	ctx := context.Background()
	q := mustCreateQueue(t, client, "busy", map[string]string{"VisibilityTimeout": "60"})
	const producers, perProducer, consumers = 6, 40, 4
	total := producers * perProducer

	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perProducer; i += 2 {
				if i%4 == 0 {
					_, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &q, Entries: []types.SendMessageBatchRequestEntry{
						{Id: aws.String("a"), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i))},
						{Id: aws.String("b"), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i+1))},
					}})
					if err != nil {
						t.Error(err)
					}
					continue
				}
				for _, n := range []int{i, i + 1} {
					if err := c.sqs.deliver(q, fmt.Sprintf("%d-%d", p, n)); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}

	var mu sync.Mutex
	seen := map[string]int{}
	received := 0
	for range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				finished := received >= total
				mu.Unlock()
				if finished {
					return
				}
				out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &q, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
				if err != nil {
					t.Error(err)
					return
				}
				var entries []types.DeleteMessageBatchRequestEntry
				for i, m := range out.Messages {
					mu.Lock()
					seen[aws.ToString(m.Body)]++
					received++
					mu.Unlock()
					entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
				}
				if len(entries) > 0 {
					del, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &q, Entries: entries})
					if err != nil || len(del.Failed) != 0 {
						t.Errorf("delete batch: %v, %+v", err, del)
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("received %d distinct messages, want %d", len(seen), total)
	}
	for body, n := range seen {
		if n != 1 {
			t.Errorf("message %s received %d times", body, n)
		}
	}
	if visible, inFlight, _ := c.QueueDepth(q); visible+inFlight != 0 {
		t.Fatalf("queue left with %d visible, %d in flight", visible, inFlight)
	}
}

// TestSQSQueueURLFollowsHost checks that a queue URL names the address
// the caller used, so it works through a proxy or another interface.
func TestSQSQueueURLFollowsHost(t *testing.T) {
	c, client := newSQS(t)
	mustCreateQueue(t, client, "hosted", nil)
	u, _ := url.Parse(c.URL())
	_, port, _ := strings.Cut(u.Host, ":")
	status, _, body := rawCall(t, "http://localhost:"+port, "sqs", http.MethodPost, "/",
		map[string]string{"X-Amz-Target": "AmazonSQS.GetQueueUrl", "Content-Type": sqsContentType}, `{"QueueName":"hosted"}`)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"http://localhost:`+port+`/123456789012/hosted"`)) {
		t.Fatalf("status %d, body %s", status, body)
	}
}

// TestSQSEventQueueFromSeed wires the event queue the way `rectify dev`
// does: a seeded queue with a redrive policy, CloudTrail delivering to it,
// and a consumer that cannot parse what it gets.
func TestSQSEventQueueFromSeed(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	ctx := context.Background()
	err := c.Apply(Seed{
		Accounts: []AccountSeed{{ID: DefaultAccount, Queues: []QueueSeed{{Name: "rectify-events-dlq"}}}},
		EventQueue: &QueueSeed{Name: "rectify-events", Attributes: map[string]string{
			"VisibilityTimeout": "30",
			"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:rectify-events-dlq","maxReceiveCount":"3"}`,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(cfg)
	q, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("rectify-events")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("seeded-events-" + strings.ToLower(newID("", 6)))}); err != nil {
		t.Fatal(err)
	}
	if c.EventsEmitted() != 1 {
		t.Fatalf("EventsEmitted = %d, want 1", c.EventsEmitted())
	}
	for i := 1; i <= 3; i++ {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive %d: %v, %v", i, out, err)
		}
		var ev struct {
			DetailType string `json:"detail-type"`
			Detail     struct{ EventName string }
		}
		if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &ev); err != nil || ev.DetailType != "AWS API Call via CloudTrail" || ev.Detail.EventName != "CreateBucket" {
			t.Fatalf("event body %s: %v", aws.ToString(out.Messages[0].Body), err)
		}
		clock.Advance(31 * time.Second) // not deleted: the consumer gave up on it
	}
	if out, _ := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl}); len(out.Messages) != 0 {
		t.Fatal("the event was delivered a fourth time instead of moving to the DLQ")
	}
	dlq, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("rectify-events-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	if visible, _, err := c.QueueDepth(aws.ToString(dlq.QueueUrl)); err != nil || visible != 1 {
		t.Fatalf("DLQ depth = %d, %v; want 1", visible, err)
	}
}
