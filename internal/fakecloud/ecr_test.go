package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// TestECRRepositories: the real ECR client creates, reads, reconfigures and
// tags a repository over JSON 1.1; each change is a CloudTrail event, and
// errors come back typed.
func TestECRRepositories(t *testing.T) {
	c, cfg := startCloud(t)
	client := ecr.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)

	out, err := client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/app"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Repository.RepositoryArn)
	if arn != "arn:aws:ecr:us-east-1:"+DefaultAccount+":repository/team/app" || out.Repository.ImageScanningConfiguration.ScanOnPush || out.Repository.CreatedAt == nil {
		t.Fatalf("repository = %+v", out.Repository)
	}
	created := tap.last(t, "CreateRepository")
	if created["requestParameters"].(map[string]any)["repositoryName"] != "team/app" ||
		created["responseElements"].(map[string]any)["repository"].(map[string]any)["repositoryArn"] != arn {
		t.Errorf("CreateRepository record = %v / %v", created["requestParameters"], created["responseElements"])
	}
	scan := func() bool {
		t.Helper()
		d, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app"}})
		if err != nil || len(d.Repositories) != 1 {
			t.Fatalf("describe: %+v, %v", d, err)
		}
		return d.Repositories[0].ImageScanningConfiguration.ScanOnPush
	}
	if _, err := client.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("team/app"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}}); err != nil {
		t.Fatal(err)
	}
	if !scan() {
		t.Error("scanOnPush still off after PutImageScanningConfiguration")
	}
	put := tap.last(t, "PutImageScanningConfiguration")["requestParameters"].(map[string]any)
	if put["repositoryName"] != "team/app" || put["imageScanningConfiguration"].(map[string]any)["scanOnPush"] != true {
		t.Errorf("PutImageScanningConfiguration requestParameters = %v", put)
	}

	if _, err := client.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: &arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags = %+v, %v", tags, err)
	}
	tap.last(t, "TagResource")

	_, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"missing"}})
	var nf *types.RepositoryNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing repository: %v, want RepositoryNotFoundException", err)
	}
	_, err = client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/app")})
	var exists *types.RepositoryAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second create: %v, want RepositoryAlreadyExistsException", err)
	}
	if d := tap.last(t, "CreateRepository"); d["errorCode"] != "RepositoryAlreadyExistsException" {
		t.Errorf("a refused CreateRepository is recorded with its error, got %v", d["errorCode"])
	}
	if _, err := client.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("team/app")}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.RepositoryScanOnPush(DefaultAccount, "us-east-1", "team/app"); ok {
		t.Error("the repository survived DeleteRepository")
	}
}

// TestECRDescribeRepositoriesPages: DescribeRepositories pages with
// maxResults in name order, only the caller's region.
func TestECRDescribeRepositoriesPages(t *testing.T) {
	c, cfg := startCloud(t)
	for i := range 7 {
		if err := c.SeedRepository(DefaultAccount, RepositorySeed{Name: fmt.Sprintf("app%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SeedRepository(DefaultAccount, RepositorySeed{Region: "eu-west-1", Name: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	var names []string
	pages := ecr.NewDescribeRepositoriesPaginator(ecr.NewFromConfig(cfg), &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(3)})
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, r := range page.Repositories {
			names = append(names, aws.ToString(r.RepositoryName))
		}
	}
	if n != 3 || fmt.Sprint(names) != "[app0 app1 app2 app3 app4 app5 app6]" {
		t.Errorf("%d pages: %v", n, names)
	}
}
