package live

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rectifyhq/rectify/internal/resource"
)

func TestDBInstance(t *testing.T) {
	tests := []struct {
		name      string
		in        rdstypes.DBInstance
		tags      map[string]string
		wantProps map[string]any
		wantTags  map[string]string
	}{
		{
			name: "public postgres",
			in: rdstypes.DBInstance{DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("postgres"), PubliclyAccessible: aws.Bool(true),
				DBInstanceArn: aws.String("arn:aws:rds:us-east-1:123456789012:db:orders")},
			tags:      map[string]string{"team": "pay"},
			wantProps: map[string]any{"identifier": "orders", "engine": "postgres", "publicly_accessible": true},
			wantTags:  map[string]string{"team": "pay"},
		},
		{
			name:      "private",
			in:        rdstypes.DBInstance{DBInstanceIdentifier: aws.String("orders"), Engine: aws.String("mysql"), PubliclyAccessible: aws.Bool(false)},
			wantProps: map[string]any{"identifier": "orders", "engine": "mysql", "publicly_accessible": false},
			wantTags:  map[string]string{},
		},
		{
			name:      "a nil flag is unknown, not false",
			in:        rdstypes.DBInstance{DBInstanceIdentifier: aws.String("orders")},
			wantProps: map[string]any{"identifier": "orders"},
			wantTags:  map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DBInstance("123456789012", "us-east-1", tt.in, tt.tags)
			if got.Type != resource.TypeDBInstance || got.ARN != "arn:aws:rds:us-east-1:123456789012:db:orders" ||
				got.ID != "orders" || got.Name != "orders" || got.Account != "123456789012" || got.Region != "us-east-1" ||
				got.Plane != resource.PlaneLive || got.Address != nil {
				t.Errorf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.Properties, tt.wantProps) {
				t.Errorf("properties = %#v, want %#v", got.Properties, tt.wantProps)
			}
			if !reflect.DeepEqual(got.Tags, tt.wantTags) {
				t.Errorf("tags = %v, want %v", got.Tags, tt.wantTags)
			}
		})
	}
}

func TestRDSTags(t *testing.T) {
	got := RDSTags([]rdstypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("rectify:exempt"), Value: aws.String("all")}})
	if want := map[string]string{"a": "1", "rectify:exempt": "all"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("RDSTags = %v, want %v", got, want)
	}
	if got := RDSTags(nil); got == nil || len(got) != 0 {
		t.Fatalf("RDSTags(nil) = %#v, want an empty map", got)
	}
}

func TestEBSEncryptionByDefault(t *testing.T) {
	tests := []struct {
		name    string
		enabled *bool
		want    map[string]any
	}{
		{"on", aws.Bool(true), map[string]any{"enabled": true}},
		{"off", aws.Bool(false), map[string]any{"enabled": false}},
		{"not reported is unknown", nil, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EBSEncryptionByDefault("123456789012", "eu-west-1", tt.enabled)
			if got.Type != resource.TypeEBSEncryptionByDefault || got.ARN != "arn:aws:ec2:eu-west-1:123456789012:ebs-encryption-by-default" ||
				got.ID != "eu-west-1" || got.Name != "eu-west-1" || got.Region != "eu-west-1" || got.Plane != resource.PlaneLive ||
				got.Tags == nil || len(got.Tags) != 0 {
				t.Errorf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.Properties, tt.want) {
				t.Errorf("properties = %#v, want %#v", got.Properties, tt.want)
			}
		})
	}
}
