package resource

import (
	"reflect"
	"strings"
	"testing"
)

func TestNormalizePolicyDocument(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string]any
	}{
		{name: "empty is no document", text: "  ", want: nil},
		{
			name: "Terraform jsonencode and AWS rewrite agree",
			text: `{"Version":"2012-10-17","Statement":{"Sid":"","Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root"]},"Action":["s3:PutObject","s3:GetObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}}`,
			want: map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": []any{"arn:aws:iam::123456789012:root"}},
				"Action":    []any{"s3:GetObject", "s3:PutObject"},
				"Resource":  []any{"arn:aws:s3:::b/*"},
			}}},
		},
		{
			name: "condition values become strings, statement order kept",
			text: `{"Id":"x","Statement":[{"Sid":"B","Effect":"Deny","Principal":"*","NotAction":"s3:Get*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:TlsVersion":1.2}}},{"Sid":"A","Effect":"Allow","NotPrincipal":{"Service":"s3.amazonaws.com"},"NotResource":["*"]}]}`,
			want: map[string]any{"Id": "x", "Statement": []any{
				map[string]any{"Sid": "B", "Effect": "Deny", "Principal": "*", "NotAction": []any{"s3:Get*"},
					"Condition": map[string]any{
						"Bool":            map[string]any{"aws:SecureTransport": []any{"false"}},
						"NumericLessThan": map[string]any{"s3:TlsVersion": []any{"1.2"}},
					}},
				map[string]any{"Sid": "A", "Effect": "Allow", "NotPrincipal": map[string]any{"Service": []any{"s3.amazonaws.com"}}, "NotResource": []any{"*"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePolicyDocument(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestNormalizePolicyDocumentErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{`[1]`, "not a JSON object"},
		{`{"Statement": "x"}`, "Statement is string"},
		{`{"Statement": [1]}`, "Statement[0] is json.Number"},
		{`{"Statement": [{"Principal": "arn:aws:iam::1:root"}]}`, `Statement[0]: Principal: string principal`},
		{`{"Statement": [{"Action": [{"x": 1}]}]}`, "Statement[0]: Action: value"},
		{`{"Statement": [{"Condition": {"Bool": 1}}]}`, "Condition: Bool is json.Number"},
	}
	for _, tt := range tests {
		_, err := NormalizePolicyDocument(tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NormalizePolicyDocument(%s) = %v, want an error containing %q", tt.text, err, tt.want)
		}
	}
}
