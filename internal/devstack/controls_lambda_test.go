package devstack

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/fakecloud"
	"github.com/rectifyhq/rectify/internal/resource"
	svclambda "github.com/rectifyhq/rectify/internal/service/lambda"
)

const policyLambdaPublic = "aws.lambda.function_public_access"

// TestLambdaPublicPermissionRemovedOnceApproved: the human lets anyone
// invoke a function (AddPermission, principal "*") next to a restricted S3
// permission. The AddPermission20150331v2 event drives rectify to wait for
// approval (the policy's default mode); approved, it removes exactly the
// public statement, verified and recorded. Undo adds the statement back
// as it was and tags the function exempt.
func TestLambdaPublicPermissionRemovedOnceApproved(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	name := "orders" + s.suffix
	if err := s.cloud.SeedFunction(Account, fakecloud.FunctionSeed{Region: Region, Name: name}); err != nil {
		t.Fatal(err)
	}
	client := lambda.NewFromConfig(s.human())
	if _, err := client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(name), StatementId: aws.String("s3-uploads"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceAccount: aws.String(Account), SourceArn: aws.String("arn:aws:s3:::acme-uploads")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(name), StatementId: aws.String("public-invoke"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		got, _ := s.cloud.FunctionStatementIDs(Account, Region, name)
		return got
	}
	ref := resource.Ref{Type: svclambda.TypeFunction, ID: name, ARN: svclambda.FunctionARN(Account, Region, name), Account: Account, Region: Region}
	wid := contract.RemediationID(policyLambdaPublic, ref.ARN)
	s.waitState(wid, contract.StateAwaitingApproval)
	if got := ids(); !slices.Equal(got, []string{"s3-uploads", "public-invoke"}) {
		t.Fatalf("statements while awaiting approval = %v: nothing changes before a person says so", got)
	}
	if _, err := contract.Decide(ctx, temporalServer.Client, wid, "", contract.Decision{Approve: true, User: HumanUser}); err != nil {
		t.Fatal(err)
	}
	if st := s.waitState(wid, contract.StateResolved); st.Remediations != 1 || st.DecidedBy != HumanUser {
		t.Errorf("remediations = %d, decided by %q; want 1 by %s", st.Remediations, st.DecidedBy, HumanUser)
	}
	if got := ids(); !slices.Equal(got, []string{"s3-uploads"}) {
		t.Fatalf("statements after the remediation = %v, want only s3-uploads", got)
	}
	if n := s.events.count("RemovePermission20150331v2", RemediationRoleName); n != 1 {
		t.Errorf("the remediation role called RemovePermission %d times, want 1", n)
	}
	s.wantResolvedFinding(ctx, policyLambdaPublic, ref)

	if _, err := contract.Undo(ctx, temporalServer.Client, wid, "", contract.UndoRequest{User: HumanUser, Reason: "the webhook needs it until the API gateway is up"}); err != nil {
		t.Fatal(err)
	}
	s.waitState(wid, contract.StateUndone)
	if got := ids(); !slices.Equal(got, []string{"s3-uploads", "public-invoke"}) {
		t.Fatalf("statements after undo = %v, want public-invoke back", got)
	}
	pol, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	if back := doc.Statement[1]; back["Principal"] != "*" || back["Action"] != "lambda:InvokeFunction" || back["Condition"] != nil {
		t.Errorf("statement put back = %v, want the public invoke as it was", back)
	}
	tags, err := client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(ref.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	wantExempt(t, tags.Tags, policyLambdaPublic)
}
