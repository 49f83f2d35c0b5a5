package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// policyPublicAccess is the policy the action re-checks at apply time, so
// the Rego policy stays the only definition of "public".
const policyPublicAccess = "aws.lambda.function_public_access"

// RemovePublicPermissions removes the statements of a function's policy
// that let anyone invoke it (FSBP Lambda.1), by statement id, and nothing
// else. Whoever relied on the public invoke (a public function URL, a
// caller in another account) loses it, which is why the policy's default
// mode is approve.
var RemovePublicPermissions = &kind.Action{
	Name:        "lambda_remove_public_permissions",
	Permissions: []string{"lambda:GetPolicy", "lambda:RemovePermission", "lambda:AddPermission"},
	Describe: func(params map[string]any) string {
		name, _ := params["function_name"].(string)
		if name == "" {
			name = "the function"
		}
		ids, _ := kind.Strings(params, "statement_ids")
		return fmt.Sprintf("remove the public statement(s) %s from the resource-based policy of Lambda function %s (RemovePermission)", strings.Join(ids, ", "), name)
	},
	Snapshot: snapshotPublic,
	Apply:    applyPublic,
	Undo:     undoPublic,
}

// publicSnapshot holds the named statements as GetPolicy returned them,
// by statement id: what Undo adds back.
type publicSnapshot struct {
	Name       string                     `json:"name"`
	Statements map[string]json.RawMessage `json:"statements"`
}

// named checks the params against the resource and returns the statement
// ids the violation named.
func named(ref resource.Ref, params map[string]any) ([]string, error) {
	if raw, ok := params["function_name"]; ok && raw != nil {
		if name, ok := raw.(string); !ok || name != ref.ID {
			return nil, awserr.Permanent(awserr.InvalidParams, "lambda_remove_public_permissions: params.function_name %v is not the resource's function %s", raw, ref.ID)
		}
	}
	ids, err := kind.Strings(params, "statement_ids")
	if err != nil {
		return nil, awserr.Permanent(awserr.InvalidParams, "lambda_remove_public_permissions on %s: %v", ref.ID, err)
	}
	if len(ids) == 0 {
		return nil, awserr.Permanent(awserr.InvalidParams, "lambda_remove_public_permissions on %s: params.statement_ids is empty", ref.ID)
	}
	return ids, nil
}

// statementsByID splits a policy into its statements, by Sid.
func statementsByID(text string) (map[string]json.RawMessage, error) {
	var doc struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("policy is not a JSON object: %w", err)
	}
	var list []json.RawMessage
	st := strings.TrimSpace(string(doc.Statement))
	switch {
	case st == "" || st == "null":
	case st[0] == '{':
		list = []json.RawMessage{doc.Statement}
	default:
		if err := json.Unmarshal(doc.Statement, &list); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
	}
	out := map[string]json.RawMessage{}
	for _, s := range list {
		var id struct{ Sid string }
		if err := json.Unmarshal(s, &id); err == nil && id.Sid != "" {
			out[id.Sid] = s
		}
	}
	return out, nil
}

func snapshotPublic(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	ids, err := named(ref, params)
	if err != nil {
		return nil, err
	}
	text, err := getPolicy(ctx, env.AWS.Lambda(ref.Account, ref.Region), ref.ID)
	if err != nil {
		return nil, err
	}
	snap := publicSnapshot{Name: ref.ID, Statements: map[string]json.RawMessage{}}
	if text == nil {
		return snap, nil
	}
	all, err := statementsByID(*text)
	if err != nil {
		return nil, awserr.Permanent(awserr.InvalidParams, "policy of lambda function %s: %v", ref.ID, err)
	}
	for _, id := range ids {
		if st, ok := all[id]; ok {
			snap.Statements[id] = st
		}
	}
	return snap, nil
}

// applyPublic re-judges the current policy and removes a named statement
// only while it is still public: someone may have removed or replaced it
// since the violation was found.
func applyPublic(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	ids, err := named(ref, params)
	if err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.Lambda(ref.Account, ref.Region)
	text, err := getPolicy(ctx, client, ref.ID)
	if err != nil {
		return kind.Applied{}, err
	}
	if text == nil {
		return kind.Applied{Summary: "Lambda function " + ref.ID + " has no resource-based policy any more"}, nil
	}
	name := ref.ID
	res := FunctionResource(ref.Account, ref.Region, FunctionState{Configuration: lambdatypes.FunctionConfiguration{FunctionName: &name}, Policy: text})
	verdicts, err := env.Judge(ctx, policyPublicAccess, res)
	if err != nil {
		return kind.Applied{}, fmt.Errorf("evaluate %s on lambda function %s: %w", policyPublicAccess, ref.ID, err)
	}
	var public []string
	for _, v := range verdicts {
		s, err := kind.Strings(v, "statement_ids")
		if err != nil {
			return kind.Applied{}, fmt.Errorf("evaluate %s on lambda function %s: %w", policyPublicAccess, ref.ID, err)
		}
		public = append(public, s...)
	}
	var removed []string
	for _, id := range ids {
		if !slices.Contains(public, id) {
			continue // gone, or no longer public: fixed by hand
		}
		_, err := client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(ref.ID), StatementId: aws.String(id)})
		if awserr.Code(err) == "ResourceNotFoundException" {
			continue // removed in between
		}
		if err != nil {
			return kind.Applied{}, awserr.Wrap(ctx, "remove statement "+id+" from the policy of lambda function "+ref.ID, err)
		}
		removed = append(removed, id)
	}
	if len(removed) == 0 {
		return kind.Applied{Summary: "policy of Lambda function " + ref.ID + " no longer has the public statement(s) " + strings.Join(ids, ", ")}, nil
	}
	return kind.Applied{Changed: true, Summary: "removed the public statement(s) " + strings.Join(removed, ", ") + " from the policy of Lambda function " + ref.ID}, nil
}

// undoPublic adds back, with AddPermission, each snapshotted statement
// the policy no longer has by its id.
func undoPublic(ctx context.Context, env kind.Env, ref resource.Ref, data json.RawMessage) error {
	var snap publicSnapshot
	if err := json.Unmarshal(data, &snap); err != nil || snap.Name == "" {
		return awserr.Permanent(awserr.InvalidParams, "undo lambda_remove_public_permissions on %s: snapshot: %v", ref.ID, err)
	}
	client := env.AWS.Lambda(ref.Account, ref.Region)
	text, err := getPolicy(ctx, client, ref.ID)
	if err != nil {
		return err
	}
	present := map[string]json.RawMessage{}
	if text != nil {
		if present, err = statementsByID(*text); err != nil {
			return awserr.Permanent(awserr.InvalidParams, "policy of lambda function %s: %v", ref.ID, err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(snap.Statements)) {
		if _, ok := present[id]; ok {
			continue // still (or again) there
		}
		p, err := PermissionOf(snap.Statements[id])
		if err != nil {
			return awserr.Permanent(awserr.InvalidParams, "undo lambda_remove_public_permissions on %s: %v", ref.ID, err)
		}
		in := &lambda.AddPermissionInput{
			FunctionName: aws.String(ref.ID), StatementId: aws.String(p.StatementID),
			Action: aws.String(p.Action), Principal: aws.String(p.Principal),
			SourceArn: opt(p.SourceArn), SourceAccount: opt(p.SourceAccount),
			PrincipalOrgID: opt(p.PrincipalOrgID), EventSourceToken: opt(p.EventSourceToken),
			FunctionUrlAuthType: lambdatypes.FunctionUrlAuthType(p.FunctionURLAuthType),
		}
		_, err = client.AddPermission(ctx, in)
		if awserr.Code(err) == "ResourceConflictException" {
			continue // added back in between
		}
		if err != nil {
			return awserr.Wrap(ctx, "add statement "+id+" back to the policy of lambda function "+ref.ID, err)
		}
	}
	return nil
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
