// Package sns holds rectify's knowledge of Amazon SNS: the topic, read and
// listed live, named by its CloudTrail calls and its Terraform resource,
// and the KMS encryption it needs (SNS.1).
package sns

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeTopic is the Terraform type of an SNS topic.
const TypeTopic = "aws_sns_topic"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Topic}

// Topic is an SNS topic, named by its name (unique per account and
// region), the last part of its ARN; Terraform's id is the ARN.
//
// properties:
//
//	{"name": "…",
//	 "kms_master_key_id": "…"}   // "" when the topic is not encrypted;
//	                             // absent when unknown (plan)
var Topic = &kind.Kind{
	Type:          TypeTopic,
	Noun:          "SNS topic",
	ConfigType:    "AWS::SNS::Topic",
	ASFFType:      "AwsSnsTopic",
	ASFFDetailsID: "TopicName",
	ARN:           TopicARN,
	ParseARN:      parseTopicARN,
	IsID:          isTopicName,
	// Config's resourceId for a topic is its ARN; its resourceName is the
	// name.
	ConfigIDs: []string{kind.ConfigName},
	Fetch:     fetchTopic,
	List:      listTopics,
	Tag:       tagTopic,
	Normalize: normalizeTopic,
	Calls: []kind.Call{
		// CreateTopic names the topic in the request; its ARN is only in
		// the response.
		{Source: source, Names: []string{"CreateTopic"}, IDs: []string{"responseElements.topicArn", "requestParameters.name"}},
		{Source: source, Names: []string{"SetTopicAttributes"}, IDs: []string{"requestParameters.topicArn"}},
		// SNS tags topics only, but by ARN: a plain name there is no topic.
		{Source: source, Names: []string{"TagResource", "UntagResource"}, IDs: []string{"requestParameters.resourceArn"}, ByARNOnly: true},
		{Source: source, Names: []string{"DeleteTopic"}, IDs: []string{"requestParameters.topicArn"}, Deletes: true},
	},
	Plan:    topicPlan,
	Actions: []*kind.Action{EnableEncryption},
	Permissions: kind.Permissions{
		Read: []string{"sns:GetTopicAttributes", "sns:ListTagsForResource"},
		List: []string{"sns:ListTopics"},
		Tag:  []string{"sns:TagResource"},
	},
}

const source = "sns.amazonaws.com"

// TopicARN builds the ARN of a topic from its name.
func TopicARN(account, region, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

// parseTopicARN reads a topic's name; a subscription's ARN
// (…:topic:subscription-id) is not a topic's.
func parseTopicARN(a kind.ARN) (string, bool) {
	name, ok := a.Of("sns", "")
	if !ok || !isTopicName(name) {
		return "", false
	}
	return name, true
}

// topicNamePattern is a topic name: up to 256 letters, digits, hyphens and
// underscores, with .fifo for a FIFO topic.
var topicNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}(\.fifo)?$`)

func isTopicName(s string) bool { return topicNamePattern.MatchString(s) && len(s) <= 256 }

// TopicState is what the live plane reads about one topic:
// GetTopicAttributes and ListTagsForResource.
type TopicState struct {
	Name       string
	Attributes map[string]string
	Tags       map[string]string
}

// notFound reports an error that says the topic does not exist.
func notFound(err error) bool {
	c := awserr.Code(err)
	return c == "NotFound" || c == "NotFoundException" || c == "ResourceNotFound" || c == "ResourceNotFoundException"
}

// attributes reads a topic's attributes; false when it does not exist.
func attributes(ctx context.Context, client *sns.Client, ref resource.Ref) (map[string]string, bool, error) {
	out, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(ref.ARN)})
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, awserr.Wrap(ctx, "get attributes of sns topic "+ref.ID, err)
	}
	return out.Attributes, true, nil
}

func fetchTopic(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.SNS(ref.Account, ref.Region)
	attrs, ok, err := attributes(ctx, client, ref)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	tags, err := topicTags(ctx, client, ref)
	if notFound(err) {
		return resource.Resource{}, false, nil
	}
	// A tag read AWS refuses leaves the topic judged without its tags: its
	// exemption is then uncertain, and the violation waits for a human.
	res := TopicResource(ref.Account, ref.Region, TopicState{Name: ref.ID, Attributes: attrs, Tags: tags})
	if err != nil {
		if !kind.TagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		res = kind.WithoutTags(res, err)
	}
	return res, true, nil
}

func topicTags(ctx context.Context, client *sns.Client, ref resource.Ref) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(ref.ARN)})
	if err != nil {
		return nil, awserr.Wrap(ctx, "list tags of sns topic "+ref.ID, err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// listTopics lists one page of the topics of an account and region.
// ListTopics has a fixed page size of 100: p.Limit cannot change it.
func listTopics(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &sns.ListTopicsInput{}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	out, err := env.AWS.SNS(p.Account, p.Region).ListTopics(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list sns topics in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, t := range out.Topics {
		if a, ok := kind.ParseARN(aws.ToString(t.TopicArn)); ok {
			if name, ok := parseTopicARN(a); ok {
				page.Refs = append(page.Refs, p.Ref(name))
			}
		}
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

// tagTopic writes tags on a topic; TagResource keeps the tags it does not
// name.
func tagTopic(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	in := &sns.TagResourceInput{ResourceArn: aws.String(ref.ARN)}
	for _, k := range kind.SortedKeys(set) {
		in.Tags = append(in.Tags, snsTag(k, set[k]))
	}
	if _, err := env.AWS.SNS(ref.Account, ref.Region).TagResource(ctx, in); err != nil {
		return awserr.Wrap(ctx, "tag sns topic "+ref.ID, err)
	}
	return nil
}

func normalizeTopic(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s TopicState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return TopicResource(account, region, s), nil
}

// TopicResource normalizes a topic read live. GetTopicAttributes leaves
// KmsMasterKeyId out when the topic is not encrypted: that is known, so it
// is "".
func TopicResource(account, region string, t TopicState) resource.Resource {
	props := map[string]any{"name": t.Name, "kms_master_key_id": t.Attributes["KmsMasterKeyId"]}
	tags := maps.Clone(t.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return resource.Resource{
		Type: TypeTopic, ARN: TopicARN(account, region, t.Name), ID: t.Name, Name: t.Name, Account: account, Region: region,
		Tags: tags, Plane: resource.PlaneLive, Properties: props,
	}
}
