// Package ecr holds rectify's knowledge of Amazon ECR: the private
// repository, read and listed live, named by its CloudTrail calls and its
// Terraform resource, and the scan on push it needs (FSBP ECR.1).
package ecr

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeRepository is the Terraform type of a private ECR repository.
const TypeRepository = "aws_ecr_repository"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Repository}

// Repository is a private ECR repository, named by its name (which may
// hold slashes: team/app), unique per registry (account) and region.
//
// properties:
//
//	{"name": "…",
//	 "scan_on_push": bool,            // imageScanningConfiguration; absent when unknown
//	 "image_tag_mutability": "MUTABLE" | "IMMUTABLE" | …}
var Repository = &kind.Kind{
	Type:          TypeRepository,
	Noun:          "ECR repository",
	ConfigType:    "AWS::ECR::Repository",
	ASFFType:      "AwsEcrRepository",
	ASFFDetailsID: "RepositoryName",
	ARN:           RepositoryARN,
	ParseARN:      func(a kind.ARN) (string, bool) { return a.Of("ecr", "repository/") },
	IsID:          isRepositoryName,
	ConfigIDs:     []string{kind.ConfigName},
	Fetch:         fetchRepository,
	List:          listRepositories,
	Tag:           tagRepository,
	Normalize:     normalizeRepository,
	Calls: []kind.Call{
		{Source: source, Names: []string{"CreateRepository", "PutImageScanningConfiguration"},
			IDs: []string{"responseElements.repository.repositoryArn", "requestParameters.repositoryName"}},
		// ECR tags repositories only, but by ARN.
		{Source: source, Names: []string{"TagResource", "UntagResource"}, IDs: []string{"requestParameters.resourceArn"}, ByARNOnly: true},
		{Source: source, Names: []string{"DeleteRepository"}, IDs: []string{"requestParameters.repositoryName"}, Deletes: true},
	},
	Plan:    repositoryPlan,
	Actions: []*kind.Action{EnableScanOnPush},
	Permissions: kind.Permissions{
		Read: []string{"ecr:DescribeRepositories", "ecr:ListTagsForResource"},
		List: []string{"ecr:DescribeRepositories"},
		Tag:  []string{"ecr:TagResource"},
	},
}

const source = "ecr.amazonaws.com"

// RepositoryARN builds the ARN of a repository from its name.
func RepositoryARN(account, region, name string) string {
	return "arn:aws:ecr:" + region + ":" + account + ":repository/" + name
}

// repositoryNamePattern is ECR's rule for a repository name: 2 to 256
// lowercase letters, digits and separators (. _ - /), in components.
var repositoryNamePattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

func isRepositoryName(s string) bool {
	return len(s) >= 2 && len(s) <= 256 && repositoryNamePattern.MatchString(s)
}

// RepositoryState is what the live plane reads about one repository:
// DescribeRepositories and ListTagsForResource.
type RepositoryState struct {
	Repository ecrtypes.Repository
	Tags       map[string]string
}

// describe reads one repository of the ref's registry; false when it does
// not exist.
func describe(ctx context.Context, client *ecr.Client, ref resource.Ref) (ecrtypes.Repository, bool, error) {
	out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RegistryId: aws.String(ref.Account), RepositoryNames: []string{ref.ID}})
	if awserr.Code(err) == "RepositoryNotFoundException" {
		return ecrtypes.Repository{}, false, nil
	}
	if err != nil {
		return ecrtypes.Repository{}, false, awserr.Wrap(ctx, "describe ecr repository "+ref.ID, err)
	}
	if len(out.Repositories) == 0 {
		return ecrtypes.Repository{}, false, nil
	}
	return out.Repositories[0], true, nil
}

func fetchRepository(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.ECR(ref.Account, ref.Region)
	repo, ok, err := describe(ctx, client, ref)
	if err != nil || !ok {
		return resource.Resource{}, false, err
	}
	tags, err := repositoryTags(ctx, client, ref)
	if awserr.Code(err) == "RepositoryNotFoundException" {
		return resource.Resource{}, false, nil
	}
	// A tag read AWS refuses leaves the repository judged without its
	// tags: its exemption is then uncertain, and the violation waits for
	// a human.
	res := RepositoryResource(ref.Account, ref.Region, RepositoryState{Repository: repo, Tags: tags})
	if err != nil {
		if !kind.TagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		res = kind.WithoutTags(res, err)
	}
	return res, true, nil
}

func repositoryTags(ctx context.Context, client *ecr.Client, ref resource.Ref) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(ref.ARN)})
	if err != nil {
		return nil, awserr.Wrap(ctx, "list tags of ecr repository "+ref.ID, err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// listRepositories lists one page of the repositories of an account and
// region, 1,000 at most.
func listRepositories(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &ecr.DescribeRepositoriesInput{RegistryId: aws.String(p.Account)}
	if p.Limit > 0 {
		req.MaxResults = aws.Int32(min(p.Limit, 1000))
	}
	if p.Token != "" {
		req.NextToken = aws.String(p.Token)
	}
	out, err := env.AWS.ECR(p.Account, p.Region).DescribeRepositories(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list ecr repositories in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, r := range out.Repositories {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(r.RepositoryName)))
	}
	page.Token = aws.ToString(out.NextToken)
	return page, nil
}

// tagRepository writes tags on a repository; TagResource keeps the tags
// it does not name.
func tagRepository(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	in := &ecr.TagResourceInput{ResourceArn: aws.String(ref.ARN)}
	for _, k := range kind.SortedKeys(set) {
		in.Tags = append(in.Tags, ecrtypes.Tag{Key: aws.String(k), Value: aws.String(set[k])})
	}
	if _, err := env.AWS.ECR(ref.Account, ref.Region).TagResource(ctx, in); err != nil {
		return awserr.Wrap(ctx, "tag ecr repository "+ref.ID, err)
	}
	return nil
}

func normalizeRepository(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s RepositoryState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return RepositoryResource(account, region, s), nil
}

// RepositoryResource normalizes a repository read live. A repository
// without an imageScanningConfiguration does not scan on push.
func RepositoryResource(account, region string, s RepositoryState) resource.Resource {
	r := s.Repository
	name := aws.ToString(r.RepositoryName)
	if a := aws.ToString(r.RegistryId); a != "" {
		account = a
	}
	props := map[string]any{"name": name, "scan_on_push": r.ImageScanningConfiguration != nil && r.ImageScanningConfiguration.ScanOnPush}
	if m := string(r.ImageTagMutability); m != "" {
		props["image_tag_mutability"] = m
	}
	tags := maps.Clone(s.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	arn := aws.ToString(r.RepositoryArn)
	if arn == "" {
		arn = RepositoryARN(account, region, name)
	}
	return resource.Resource{
		Type: TypeRepository, ARN: arn, ID: name, Name: name, Account: account, Region: region,
		Tags: tags, Plane: resource.PlaneLive, Properties: props,
	}
}
