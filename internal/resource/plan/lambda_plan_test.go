package plan_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestLambdaPermissionJoins: aws_lambda_permission joins its function by
// function_name as the statement Lambda would write (in address order); a principal unknown
// until apply leaves the policy unknown; a function outside the plan gets
// a synthetic document with what its permission says.
func TestLambdaPermissionJoins(t *testing.T) {
	got := resourcesOf(t, filepath.Join("testdata", "plans/lambda.json"))
	want := map[string]string{
		"aws_lambda_function.hooks": `{"function_name":"hooks","policy":{"Id":"default","Statement":[` +
			`{"Action":["lambda:InvokeFunction"],"Condition":{"ArnLike":{"AWS:SourceArn":["arn:aws:s3:::acme-uploads"]}},"Effect":"Allow","Principal":{"Service":["s3.amazonaws.com"]},"Sid":"s3-uploads"},` +
			`{"Action":["lambda:InvokeFunction"],"Effect":"Allow","Principal":"*","Sid":"public-invoke"}],"Version":"2012-10-17"}}`,
		"aws_lambda_function.jobs": `{"function_name":"jobs"}`,
		"aws_lambda_permission.legacy_public": `{"function_name":"legacy","policy":{"Id":"default","Statement":[` +
			`{"Action":["lambda:InvokeFunction"],"Effect":"Allow","Principal":"*","Sid":"public"}],"Version":"2012-10-17"}}`,
	}
	for addr, w := range want {
		r, ok := got[addr]
		if !ok {
			t.Errorf("no document for %s (have %d documents)", addr, len(got))
			continue
		}
		b, err := json.Marshal(r.Properties)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != w {
			t.Errorf("%s properties:\n got %s\nwant %s", addr, b, w)
		}
	}
	if r := got["aws_lambda_permission.legacy_public"]; r.ID != "legacy" || r.Type != "aws_lambda_function" {
		t.Errorf("synthetic function: type %s, id %q", r.Type, r.ID)
	}
}
