package lambda

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/rectifyhq/rectify/internal/kind"
)

// TestPermissionRoundTrip: the statement Lambda writes for an AddPermission
// reads back as that AddPermission, which is what Undo sends.
func TestPermissionRoundTrip(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:orders"
	for _, p := range []Permission{
		{StatementID: "public", Action: "lambda:InvokeFunction", Principal: "*"},
		{StatementID: "url", Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionURLAuthType: "NONE"},
		{StatementID: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceAccount: "123456789012", SourceArn: "arn:aws:s3:::uploads"},
		{StatementID: "acct", Action: "lambda:InvokeFunction", Principal: "210987654321"},
		{StatementID: "org", Action: "lambda:InvokeFunction", Principal: "*", PrincipalOrgID: "o-abc123"},
		{StatementID: "role", Action: "lambda:GetFunction", Principal: "arn:aws:iam::210987654321:role/deployer"},
		{StatementID: "alexa", Action: "lambda:InvokeFunction", Principal: "alexa-appkit.amazon.com", EventSourceToken: "amzn1.ask.skill.1"},
	} {
		raw, err := json.Marshal(p.Statement(arn))
		if err != nil {
			t.Fatal(err)
		}
		got, err := PermissionOf(raw)
		if err != nil {
			t.Errorf("%s: %v", p.StatementID, err)
			continue
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("%s: read back %+v from %s", p.StatementID, got, raw)
		}
	}
}

// TestPermissionOfRefusesWhatAddPermissionCannotWrite: Undo says so rather
// than adding a different statement.
func TestPermissionOfRefusesWhatAddPermissionCannotWrite(t *testing.T) {
	for _, raw := range []string{
		`{"Sid":"d","Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction"}`,
		`{"Sid":"a","Effect":"Allow","Principal":"*","Action":["lambda:InvokeFunction","lambda:GetFunction"]}`,
		`{"Sid":"c","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
		`{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction"}`,
		`[1]`,
	} {
		if p, err := PermissionOf(json.RawMessage(raw)); err == nil {
			t.Errorf("%s: read as %+v, want an error", raw, p)
		}
	}
}

type record map[string][]string

func (r record) Name() string                          { return "AddPermission20150331v2" }
func (r record) Strings(path string) ([]string, error) { return r[path], nil }

func TestExtractFunctionName(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
	for given, want := range map[string]string{
		"orders":                         "orders",
		"orders:live":                    "orders",
		"123456789012:function:orders":   "orders",
		"123456789012:function:orders:7": "orders",
		arn:                              arn,
		arn + ":live":                    arn,
		"arn:aws:s3:::bucket":            "",
		"not a name":                     "",
	} {
		got, err := extractFunctionName(record{"requestParameters.functionName": {given}})
		if err != nil {
			t.Fatal(err)
		}
		if (want == "" && len(got) != 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
			t.Errorf("%q: %v, want %q", given, got, want)
		}
	}
	if a, ok := kind.ParseARN(arn + ":live"); !ok {
		t.Fatal("ARN does not parse")
	} else if name, ok := parseFunctionARN(a); !ok || name != "orders" {
		t.Errorf("parseFunctionARN(qualified) = %q, %t", name, ok)
	}
}
