package contract

import "testing"

func TestLinks(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"workflow", WorkflowURL("http://127.0.0.1:8233/", "default", "remediation/aws.s3.public_access_block/arn:aws:s3:::b"),
			"http://127.0.0.1:8233/namespaces/default/workflows/remediation%2Faws.s3.public_access_block%2Farn:aws:s3:::b"},
		{"no UI", WorkflowURL("", "default", "x"), ""},
		{"control", ControlURL(DefaultControlsURL, "aws.ec2.sg_public_admin_ports"),
			"https://github.com/rectifyhq/rectify/blob/main/docs/controls.md#awsec2sg_public_admin_ports"},
		{"control, base with a trailing #", ControlURL("https://docs.example.com/controls#", "acme.Bucket-Prefix"),
			"https://docs.example.com/controls#acmebucket-prefix"},
		{"no base", ControlURL("", "aws.x"), ""},
		{"heading with spaces", HeadingAnchor("S3: Public access (block)"), "s3-public-access-block"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
