package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a", "", 1}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"admn", "admin", 1}, {"abc", "abc", 0}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestHint(t *testing.T) {
	known := []string{"aws.ec2.sg_public_admin_ports", "aws.iam.admin_access", "PutBucketPublicAccessBlock"}
	for _, tt := range []struct{ word, want string }{
		{"aws.ec2.sg_public_admn_ports", " (did you mean aws.ec2.sg_public_admin_ports?)"},
		{"aws.iam.admin_acess", " (did you mean aws.iam.admin_access?)"},
		// The action name people guess for S3's public access block.
		{"PutPublicAccessBlock", " (did you mean PutBucketPublicAccessBlock?)"},
		{"gcp.compute.firewall", " (known: aws.ec2.sg_public_admin_ports, aws.iam.admin_access, PutBucketPublicAccessBlock)"},
	} {
		if got := Hint(tt.word, known); got != tt.want {
			t.Errorf("Hint(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
