package fakecloud

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLambdaPermissions: the real Lambda client reads a seeded function,
// adds and removes statements of its policy over REST-JSON, and tags it;
// each change is a CloudTrail event under Lambda's versioned eventName,
// and errors come back typed.
func TestLambdaPermissions(t *testing.T) {
	c, cfg := startCloud(t)
	if err := c.SeedFunction(DefaultAccount, FunctionSeed{Name: "orders", Tags: map[string]string{"team": "web"}}); err != nil {
		t.Fatal(err)
	}
	client := lambda.NewFromConfig(cfg)
	ctx := context.Background()
	tap := tapEvents(c)
	arn := "arn:aws:lambda:us-east-1:" + DefaultAccount + ":function:orders"

	fn, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(fn.Configuration.FunctionArn) != arn || fn.Tags["team"] != "web" {
		t.Fatalf("function = %+v, tags %v", fn.Configuration, fn.Tags)
	}
	var nf *types.ResourceNotFoundException
	if _, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("orders")}); !errors.As(err, &nf) {
		t.Fatalf("GetPolicy without a policy: %v, want ResourceNotFoundException", err)
	}
	if _, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")}); !errors.As(err, &nf) {
		t.Fatalf("GetFunction of a missing function: %v, want ResourceNotFoundException", err)
	}

	add, err := client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(arn), StatementId: aws.String("public"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(add.Statement)), &st); err != nil || st["Principal"] != "*" || st["Resource"] != arn {
		t.Fatalf("statement = %s (%v)", aws.ToString(add.Statement), err)
	}
	rec := tap.last(t, "AddPermission20150331v2")
	if p := rec["requestParameters"].(map[string]any); p["functionName"] != arn || p["principal"] != "*" || p["statementId"] != "public" {
		t.Errorf("AddPermission record = %v", p)
	}
	if _, err := client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("orders"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceAccount: aws.String(DefaultAccount), SourceArn: aws.String("arn:aws:s3:::uploads")}); err != nil {
		t.Fatal(err)
	}
	var conflict *types.ResourceConflictException
	if _, err := client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("orders"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}); !errors.As(err, &conflict) {
		t.Fatalf("duplicate statement id: %v, want ResourceConflictException", err)
	}
	pol, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil || len(doc.Statement) != 2 {
		t.Fatalf("policy = %s (%v)", aws.ToString(pol.Policy), err)
	}
	cond := doc.Statement[1]["Condition"].(map[string]any)
	if cond["ArnLike"].(map[string]any)["AWS:SourceArn"] != "arn:aws:s3:::uploads" || cond["StringEquals"].(map[string]any)["AWS:SourceAccount"] != DefaultAccount {
		t.Errorf("condition = %v", cond)
	}

	if _, err := client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("orders"), StatementId: aws.String("public")}); err != nil {
		t.Fatal(err)
	}
	if p := tap.last(t, "RemovePermission20150331v2")["requestParameters"].(map[string]any); p["statementId"] != "public" || p["functionName"] != "orders" {
		t.Errorf("RemovePermission record = %v", p)
	}
	if _, err := client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("orders"), StatementId: aws.String("public")}); !errors.As(err, &nf) {
		t.Fatalf("removing a missing statement: %v, want ResourceNotFoundException", err)
	}
	if ids, _ := c.FunctionStatementIDs(DefaultAccount, DefaultRegion, "orders"); !slices.Equal(ids, []string{"s3"}) {
		t.Errorf("statements = %v, want [s3]", ids)
	}

	if _, err := client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "prod" {
		t.Fatalf("tags = %v, %v", tags, err)
	}
	if p := tap.last(t, "TagResource20170331v2")["requestParameters"].(map[string]any); p["resource"] != arn {
		t.Errorf("TagResource record = %v", p)
	}
}

// TestLambdaListFunctions pages in name order.
func TestLambdaListFunctions(t *testing.T) {
	c, cfg := startCloud(t)
	for _, n := range []string{"c", "a", "b"} {
		if err := c.SeedFunction(DefaultAccount, FunctionSeed{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	client := lambda.NewFromConfig(cfg)
	var got []string
	p := lambda.NewListFunctionsPaginator(client, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range out.Functions {
			got = append(got, aws.ToString(f.FunctionName))
		}
	}
	if !slices.Equal(got, []string{"a", "b", "c"}) || pages != 2 {
		t.Errorf("functions %v in %d pages", got, pages)
	}
}
