package iam

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

// encoded is a document as Get*Policy returns it.
func encoded(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func TestPrincipalResource(t *testing.T) {
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	readOnly := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	star := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": []any{"*"}, "Resource": []any{"*"}},
	}}
	tests := []struct {
		name      string
		state     PrincipalState
		wantARN   string
		wantProps map[string]any
		wantTags  map[string]string
		wantErr   string
	}{
		{
			name:      "role without policies: empty lists, not absent",
			state:     PrincipalState{Type: TypeRole, Name: "app", Path: "/"},
			wantARN:   "arn:aws:iam::123456789012:role/app",
			wantProps: map[string]any{"name": "app", "path": "/", "attached_policy_arns": []any{}, "inline_policies": []any{}},
			wantTags:  map[string]string{},
		},
		{
			name: "user: managed policies sorted and unique, inline decoded and sorted by name",
			state: PrincipalState{
				Type: TypeUser, Name: "ops", Path: "/team/",
				Attached: []iamtypes.AttachedPolicy{
					{PolicyArn: aws.String(readOnly), PolicyName: aws.String("ReadOnlyAccess")},
					{PolicyArn: aws.String(admin), PolicyName: aws.String("AdministratorAccess")},
					{PolicyArn: aws.String(admin)},
				},
				Inline: []InlinePolicy{
					{Name: "zz", Document: encoded(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)},
					{Name: "aa", Document: encoded(`{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":["s3:Put*","s3:Get*"],"Resource":"arn:aws:s3:::b/a+b"}]}`)},
				},
				Tags: []iamtypes.Tag{{Key: aws.String("rectify:exempt"), Value: aws.String("all")}},
			},
			// The path stays out of the ARN: events name the user without it.
			wantARN: "arn:aws:iam::123456789012:user/ops",
			wantProps: map[string]any{
				"name": "ops", "path": "/team/",
				"attached_policy_arns": []any{admin, readOnly},
				"inline_policies": []any{
					map[string]any{"name": "aa", "document": map[string]any{"Version": "2012-10-17", "Statement": []any{
						map[string]any{"Sid": "S3", "Effect": "Allow", "Action": []any{"s3:Get*", "s3:Put*"}, "Resource": []any{"arn:aws:s3:::b/a+b"}},
					}}},
					map[string]any{"name": "zz", "document": star},
				},
			},
			wantTags: map[string]string{"rectify:exempt": "all"},
		},
		{
			name:      "group",
			state:     PrincipalState{Type: TypeGroup, Name: "admins", Path: "/", Attached: []iamtypes.AttachedPolicy{{PolicyArn: aws.String(admin)}}},
			wantARN:   "arn:aws:iam::123456789012:group/admins",
			wantProps: map[string]any{"name": "admins", "path": "/", "attached_policy_arns": []any{admin}, "inline_policies": []any{}},
			wantTags:  map[string]string{},
		},
		{
			name:    "document that is not JSON",
			state:   PrincipalState{Type: TypeUser, Name: "u", Inline: []InlinePolicy{{Name: "p", Document: encoded("nope")}}},
			wantErr: "inline policy p of user u",
		},
		{
			name:    "document that is not URL-encoded",
			state:   PrincipalState{Type: TypeUser, Name: "u", Inline: []InlinePolicy{{Name: "p", Document: "%zz"}}},
			wantErr: "decode the URL-encoded document",
		},
		{
			name:    "not an IAM type",
			state:   PrincipalState{Type: "aws_s3_bucket", Name: "b"},
			wantErr: "not an IAM user, role or group",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PrincipalResource("123456789012", "us-east-1", tc.state)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ARN != tc.wantARN || got.ID != tc.state.Name || got.Name != tc.state.Name || got.Type != tc.state.Type ||
				got.Plane != resource.PlaneLive || got.Region != "us-east-1" || got.Account != "123456789012" {
				t.Fatalf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.Properties, tc.wantProps) {
				t.Fatalf("properties =\n%#v\nwant\n%#v", got.Properties, tc.wantProps)
			}
			if !reflect.DeepEqual(got.Tags, tc.wantTags) {
				t.Fatalf("tags = %v, want %v", got.Tags, tc.wantTags)
			}
		})
	}
}
