package fakecloud

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func TestEC2EbsEncryptionByDefault(t *testing.T) {
	c, client := newEC2(t)
	tap := tapEvents(c)
	ctx := t.Context()
	get := func() bool {
		t.Helper()
		return aws.ToBool(okEC2(client.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{}))(t).EbsEncryptionByDefault)
	}
	if get() {
		t.Fatal("a new account has EBS encryption by default on")
	}
	tests := []struct {
		action string
		call   func() (*bool, error)
		want   bool
	}{
		{"EnableEbsEncryptionByDefault", func() (*bool, error) {
			out, err := client.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
			if err != nil {
				return nil, err
			}
			return out.EbsEncryptionByDefault, nil
		}, true},
		{"DisableEbsEncryptionByDefault", func() (*bool, error) {
			out, err := client.DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{})
			if err != nil {
				return nil, err
			}
			return out.EbsEncryptionByDefault, nil
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			got := okEC2(tt.call())(t)
			if aws.ToBool(got) != tt.want || get() != tt.want || c.EBSEncryptionByDefault(DefaultAccount, DefaultRegion) != tt.want {
				t.Fatalf("after %s: response %v, want %v", tt.action, aws.ToBool(got), tt.want)
			}
			ev := tap.last(t, tt.action)
			req, _ := ev["requestParameters"].(map[string]any)
			resp, _ := ev["responseElements"].(map[string]any)
			inner, _ := resp[tt.action+"Response"].(map[string]any)
			if _, ok := req[tt.action+"Request"]; !ok || inner["ebsEncryptionByDefault"] != tt.want || ev["awsRegion"] != DefaultRegion {
				t.Fatalf("%s event: request %v response %v", tt.action, req, resp)
			}
		})
	}

	// The flag is per region.
	c.SetEBSEncryptionByDefault(DefaultAccount, "eu-west-1", true)
	if get() || !c.EBSEncryptionByDefault(DefaultAccount, "eu-west-1") {
		t.Fatal("EBS encryption by default leaked across regions")
	}

	// DryRun answers DryRunOperation, changes nothing, and is still logged.
	_, err := client.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{DryRun: aws.Bool(true)})
	wantEC2Error(t, err, "DryRunOperation")
	if get() {
		t.Fatal("a dry run enabled EBS encryption by default")
	}
	if ev := tap.last(t, "EnableEbsEncryptionByDefault"); ev["errorCode"] != "Client.DryRunOperation" {
		t.Fatalf("dry-run event errorCode = %v", ev["errorCode"])
	}
}
