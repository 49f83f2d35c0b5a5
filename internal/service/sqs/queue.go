// Package sqs holds rectify's knowledge of Amazon SQS: the queue, read and
// listed live, named by its CloudTrail calls and its Terraform resource,
// and the encryption at rest it needs (FSBP SQS.1).
package sqs

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeQueue is the Terraform type of an SQS queue.
const TypeQueue = "aws_sqs_queue"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Queue}

// Queue is an SQS queue, named by its queue name (unique per account and
// region), the last part of its ARN. Terraform's id is the queue URL; both
// planes use the name, which every source can give.
//
// properties:
//
//	{"name": "…",
//	 "sqs_managed_sse_enabled": bool,   // SSE-SQS; absent when unknown
//	 "kms_master_key_id": "…"}          // SSE-KMS key; absent when none
var Queue = &kind.Kind{
	Type:          TypeQueue,
	Noun:          "SQS queue",
	ConfigType:    "AWS::SQS::Queue",
	ASFFType:      "AwsSqsQueue",
	ASFFDetailsID: "QueueName",
	ARN:           QueueARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("sqs", "") },
	IsID:          isQueueName,
	// Config's resourceId for a queue is its URL; its resourceName is the
	// name.
	ConfigIDs: []string{kind.ConfigName},
	Fetch:     fetchQueue,
	List:      listQueues,
	Tag:       tagQueue,
	Normalize: normalizeQueue,
	Calls: []kind.Call{
		// CreateQueue names the queue in the request; its URL is only in the
		// response.
		{Source: source, Names: []string{"CreateQueue"}, IDs: []string{"requestParameters.queueName"}, Extract: urlAt("responseElements.queueUrl")},
		// The others name the queue by URL only, which no id path can read.
		{Source: source, Names: []string{"SetQueueAttributes", "TagQueue", "UntagQueue"}, Extract: urlAt("requestParameters.queueUrl")},
		{Source: source, Names: []string{"DeleteQueue"}, Extract: urlAt("requestParameters.queueUrl"), Deletes: true},
	},
	Plan:    queuePlan,
	Actions: []*kind.Action{EnableEncryption},
	Permissions: kind.Permissions{
		Read: []string{"sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:ListQueueTags"},
		List: []string{"sqs:ListQueues"},
		Tag:  []string{"sqs:TagQueue"},
	},
}

const source = "sqs.amazonaws.com"

// QueueARN builds the ARN of a queue from its name.
func QueueARN(account, region, name string) string {
	return "arn:aws:sqs:" + region + ":" + account + ":" + name
}

// queueNamePattern is a queue name: up to 80 letters, digits, hyphens and
// underscores, with .fifo for a FIFO queue.
var queueNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}(\.fifo)?$`)

func isQueueName(s string) bool { return queueNamePattern.MatchString(s) && len(s) <= 80 }

// NameFromURL reads the queue name from a queue URL
// (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or any host that serves
// the same path).
func NameFromURL(queueURL string) (string, bool) {
	u, err := url.Parse(queueURL)
	if err != nil || u.Host == "" {
		return "", false
	}
	_, name, ok := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if !ok || !isQueueName(name) {
		return "", false
	}
	return name, true
}

// urlAt extracts the queue name from the URLs at a record path.
func urlAt(path string) func(r kind.Record) ([]string, error) {
	return func(r kind.Record) ([]string, error) {
		urls, err := r.Strings(path)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, u := range urls {
			if n, ok := NameFromURL(u); ok {
				names = append(names, n)
			}
		}
		return names, nil
	}
}

// QueueState is what the live plane reads about one queue:
// GetQueueAttributes (the encryption attributes) and ListQueueTags.
type QueueState struct {
	Name       string
	Attributes map[string]string
	Tags       map[string]string
}

// encryptionAttributes are the attributes the live plane and the action
// read: what SQS.1 judges.
var encryptionAttributes = []sqstypes.QueueAttributeName{
	sqstypes.QueueAttributeNameSqsManagedSseEnabled,
	sqstypes.QueueAttributeNameKmsMasterKeyId,
}

// queueURL resolves a queue's name in the ref's account to its URL; false
// when there is no such queue.
func queueURL(ctx context.Context, client *sqs.Client, ref resource.Ref) (string, bool, error) {
	out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(ref.ID), QueueOwnerAWSAccountId: aws.String(ref.Account)})
	if gone(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, awserr.Wrap(ctx, "get url of sqs queue "+ref.ID, err)
	}
	return aws.ToString(out.QueueUrl), true, nil
}

// gone reports an error that says the queue does not exist (any more).
func gone(err error) bool {
	code := awserr.Code(err)
	return code == "AWS.SimpleQueueService.NonExistentQueue" || code == "QueueDoesNotExist"
}

// encryption reads the encryption attributes of the queue at u.
func encryption(ctx context.Context, client *sqs.Client, name, u string) (map[string]string, error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u), AttributeNames: encryptionAttributes})
	if err != nil {
		return nil, awserr.Wrap(ctx, "get attributes of sqs queue "+name, err)
	}
	return out.Attributes, nil
}

func fetchQueue(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.SQSIn(ref.Account, ref.Region)
	u, ok, err := queueURL(ctx, client, ref)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	attrs, err := encryption(ctx, client, ref.ID, u)
	if gone(err) {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, err
	}
	tags, err := queueTags(ctx, client, ref.ID, u)
	if gone(err) {
		return resource.Resource{}, false, nil
	}
	// A tag read AWS refuses leaves the queue judged without its tags: its
	// exemption is then uncertain, and the violation waits for a human.
	res := QueueResource(ref.Account, ref.Region, QueueState{Name: ref.ID, Attributes: attrs, Tags: tags})
	if err != nil {
		if !kind.TagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		res = kind.WithoutTags(res, err)
	}
	return res, true, nil
}

func queueTags(ctx context.Context, client *sqs.Client, name, u string) (map[string]string, error) {
	out, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)})
	if err != nil {
		return nil, awserr.Wrap(ctx, "list tags of sqs queue "+name, err)
	}
	return out.Tags, nil
}

// listQueues lists one page of the queues of an account and region.
// ListQueues pages only when MaxResults is given, so it always is.
func listQueues(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(min(p.Limit, 1000))
	}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	out, err := env.AWS.SQSIn(p.Account, p.Region).ListQueues(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list sqs queues in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, u := range out.QueueUrls {
		if name, ok := NameFromURL(u); ok {
			page.Refs = append(page.Refs, p.Ref(name))
		}
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

// tagQueue writes tags on a queue; TagQueue keeps the tags it does not
// name.
func tagQueue(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	client := env.AWS.SQSIn(ref.Account, ref.Region)
	u, ok, err := queueURL(ctx, client, ref)
	if err != nil {
		return err
	}
	if !ok {
		return awserr.Permanent("AWS.SimpleQueueService.NonExistentQueue", "tag sqs queue %s: it no longer exists", ref.ID)
	}
	if _, err := client.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(u), Tags: set}); err != nil {
		return awserr.Wrap(ctx, "tag sqs queue "+ref.ID, err)
	}
	return nil
}

func normalizeQueue(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s QueueState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return QueueResource(account, region, s), nil
}

// QueueResource normalizes a queue read live. SqsManagedSseEnabled is
// "true" or "false"; a queue encrypted with a KMS key reports "false" and
// its key in KmsMasterKeyId.
func QueueResource(account, region string, q QueueState) resource.Resource {
	props := map[string]any{"name": q.Name}
	switch q.Attributes[string(sqstypes.QueueAttributeNameSqsManagedSseEnabled)] {
	case "true":
		props["sqs_managed_sse_enabled"] = true
	case "false":
		props["sqs_managed_sse_enabled"] = false
	}
	if k := q.Attributes[string(sqstypes.QueueAttributeNameKmsMasterKeyId)]; k != "" {
		props["kms_master_key_id"] = k
	}
	tags := maps.Clone(q.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return resource.Resource{
		Type: TypeQueue, ARN: QueueARN(account, region, q.Name), ID: q.Name, Name: q.Name, Account: account, Region: region,
		Tags: tags, Plane: resource.PlaneLive, Properties: props,
	}
}
