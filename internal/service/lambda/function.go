// Package lambda holds rectify's knowledge of AWS Lambda: the function,
// read and listed live, named by its CloudTrail calls and its Terraform
// resources, and the public invoke its resource-based policy must not
// grant (FSBP Lambda.1).
package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// TypeFunction is the Terraform type of a Lambda function.
const TypeFunction = "aws_lambda_function"

// Kinds are the kinds of this service.
var Kinds = []*kind.Kind{Function}

// Function is a Lambda function, named by its name, unique per account and
// region. Only the unqualified function's resource-based policy is judged:
// a permission added on a version or an alias (Qualifier) lives in another
// policy, which is neither read nor fixed.
//
// properties:
//
//	{"function_name": "…",
//	 "policy": null | {...}}   // resource.NormalizePolicyDocument; null: no policy; absent when unknown
var Function = &kind.Kind{
	Type:          TypeFunction,
	Noun:          "Lambda function",
	ConfigType:    "AWS::Lambda::Function",
	ASFFType:      "AwsLambdaFunction",
	ASFFDetailsID: "FunctionName",
	ARN:           FunctionARN,
	ParseARN:      parseFunctionARN,
	IsID:          isFunctionName,
	ConfigIDs:     []string{kind.ConfigName},
	Fetch:         fetchFunction,
	List:          listFunctions,
	Tag:           tagFunction,
	Normalize:     normalizeFunction,
	Calls: []kind.Call{
		// CloudTrail writes Lambda's calls under versioned event names.
		// functionName is what the caller gave: a name, or a (partial)
		// ARN, which may carry a qualifier.
		{Source: source, Names: []string{"AddPermission20150331v2", "RemovePermission20150331v2"}, Extract: extractFunctionName},
		// Lambda tags functions (and other resources) by ARN only.
		{Source: source, Names: []string{"TagResource20170331v2", "UntagResource20170331v2"}, IDs: []string{"requestParameters.resource"}, ByARNOnly: true},
		{Source: source, Names: []string{"DeleteFunction20150331"}, Extract: extractFunctionName, Deletes: true},
	},
	Plan:    functionPlan,
	Actions: []*kind.Action{RemovePublicPermissions},
	Permissions: kind.Permissions{
		Read: []string{"lambda:GetFunction", "lambda:GetPolicy", "lambda:ListTags"},
		List: []string{"lambda:ListFunctions"},
		Tag:  []string{"lambda:TagResource"},
	},
}

const source = "lambda.amazonaws.com"

// FunctionARN builds the (unqualified) ARN of a function from its name.
func FunctionARN(account, region, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

// parseFunctionARN takes the function name out of a function ARN, with or
// without a qualifier (a version or alias): the function is the resource.
func parseFunctionARN(a kind.ARN) (string, bool) {
	rest, ok := a.Of("lambda", "function:")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, ":")
	return name, isFunctionName(name)
}

// functionNamePattern is Lambda's rule for a function name.
var functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func isFunctionName(s string) bool { return functionNamePattern.MatchString(s) }

// partialARN is the form "123456789012:function:name[:qualifier]" Lambda
// also accepts as a FunctionName.
var partialARN = regexp.MustCompile(`^[0-9]{12}:function:([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$`)

// extractFunctionName reads requestParameters.functionName in every form
// Lambda accepts: a name, an ARN, a partial ARN (neither a name nor an
// ARN), each perhaps with a qualifier ("name:alias"), which names a
// version or alias of the same function.
func extractFunctionName(r kind.Record) ([]string, error) {
	vs, err := r.Strings("requestParameters.functionName")
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	v := vs[0]
	if a, ok := kind.ParseARN(v); ok {
		if name, ok := parseFunctionARN(a); ok {
			return []string{FunctionARN(a.Account, a.Region, name)}, nil
		}
		return nil, nil
	}
	if m := partialARN.FindStringSubmatch(v); m != nil {
		return []string{m[1]}, nil
	}
	if name, _, _ := strings.Cut(v, ":"); isFunctionName(name) {
		return []string{name}, nil
	}
	return nil, nil
}

// FunctionState is what the live plane reads about one function:
// GetFunction, GetPolicy (nil Policy: the function has none) and ListTags.
type FunctionState struct {
	Configuration lambdatypes.FunctionConfiguration
	Policy        *string
	Tags          map[string]string
}

// getPolicy reads the function's resource-based policy: nil when it has
// none (GetPolicy answers ResourceNotFoundException then, as it does for a
// function that does not exist).
func getPolicy(ctx context.Context, client *lambda.Client, name string) (*string, error) {
	out, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(name)})
	if awserr.Code(err) == "ResourceNotFoundException" {
		return nil, nil
	}
	if err != nil {
		return nil, awserr.Wrap(ctx, "get policy of lambda function "+name, err)
	}
	return out.Policy, nil
}

func fetchFunction(ctx context.Context, env kind.Env, ref resource.Ref) (resource.Resource, bool, error) {
	client := env.AWS.Lambda(ref.Account, ref.Region)
	out, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ref.ID)})
	if awserr.Code(err) == "ResourceNotFoundException" {
		return resource.Resource{}, false, nil
	}
	if err != nil {
		return resource.Resource{}, false, awserr.Wrap(ctx, "get lambda function "+ref.ID, err)
	}
	if out.Configuration == nil {
		return resource.Resource{}, false, fmt.Errorf("get lambda function %s: the answer has no Configuration", ref.ID)
	}
	policy, err := getPolicy(ctx, client, ref.ID)
	if err != nil {
		return resource.Resource{}, false, err
	}
	tags, err := functionTags(ctx, client, ref)
	if awserr.Code(err) == "ResourceNotFoundException" {
		return resource.Resource{}, false, nil
	}
	// A tag read AWS refuses leaves the function judged without its tags:
	// its exemption is then uncertain, and the violation waits for a human.
	res := FunctionResource(ref.Account, ref.Region, FunctionState{Configuration: *out.Configuration, Policy: policy, Tags: tags})
	if err != nil {
		if !kind.TagReadRefused(err) {
			return resource.Resource{}, false, err
		}
		res = kind.WithoutTags(res, err)
	}
	return res, true, nil
}

func functionTags(ctx context.Context, client *lambda.Client, ref resource.Ref) (map[string]string, error) {
	out, err := client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(FunctionARN(ref.Account, ref.Region, ref.ID))})
	if err != nil {
		return nil, awserr.Wrap(ctx, "list tags of lambda function "+ref.ID, err)
	}
	return maps.Clone(out.Tags), nil
}

// listFunctions lists one page of the functions of an account and region,
// 50 at most (ListFunctions' limit).
func listFunctions(ctx context.Context, env kind.Env, p kind.Page) (kind.Listed, error) {
	req := &lambda.ListFunctionsInput{}
	if p.Limit > 0 {
		req.MaxItems = aws.Int32(min(p.Limit, 50))
	}
	if p.Token != "" {
		req.Marker = aws.String(p.Token)
	}
	out, err := env.AWS.Lambda(p.Account, p.Region).ListFunctions(ctx, req)
	if err != nil {
		return kind.Listed{}, awserr.Wrap(ctx, "list lambda functions in "+p.Account+"/"+p.Region, err)
	}
	var page kind.Listed
	for _, f := range out.Functions {
		page.Refs = append(page.Refs, p.Ref(aws.ToString(f.FunctionName)))
	}
	page.Token = aws.ToString(out.NextMarker)
	return page, nil
}

// tagFunction writes tags on a function; TagResource keeps the tags it
// does not name.
func tagFunction(ctx context.Context, env kind.Env, ref resource.Ref, set map[string]string) error {
	if _, err := env.AWS.Lambda(ref.Account, ref.Region).TagResource(ctx, &lambda.TagResourceInput{
		Resource: aws.String(FunctionARN(ref.Account, ref.Region, ref.ID)), Tags: maps.Clone(set),
	}); err != nil {
		return awserr.Wrap(ctx, "tag lambda function "+ref.ID, err)
	}
	return nil
}

func normalizeFunction(account, region string, state json.RawMessage) (resource.Resource, error) {
	var s FunctionState
	if err := json.Unmarshal(state, &s); err != nil {
		return resource.Resource{}, err
	}
	return FunctionResource(account, region, s), nil
}

// FunctionResource normalizes a function read live. A policy Lambda
// returns that is not valid JSON is left unknown (absent), never
// "no policy".
func FunctionResource(account, region string, s FunctionState) resource.Resource {
	c := s.Configuration
	name := aws.ToString(c.FunctionName)
	props := map[string]any{"function_name": name}
	if s.Policy == nil {
		props["policy"] = nil
	} else if doc, err := resource.NormalizePolicyDocument(*s.Policy); err == nil {
		props["policy"] = nullable(doc)
	}
	tags := maps.Clone(s.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	arn := FunctionARN(account, region, name)
	return resource.Resource{
		Type: TypeFunction, ARN: arn, ID: name, Name: name, Account: account, Region: region,
		Tags: tags, Plane: resource.PlaneLive, Properties: props,
	}
}

// nullable keeps a nil document a JSON null rather than a typed nil map.
func nullable(doc map[string]any) any {
	if doc == nil {
		return nil
	}
	return doc
}
