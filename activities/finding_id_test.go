package activities

import (
	"testing"

	"github.com/rectifyhq/rectify/internal/contract"
)

// The finding Id has two spellings until the findings code uses the
// contract's: the workflow links and `rectify show` name the finding by
// contract.FindingID, Security Hub stores activities.FindingID. They must
// never differ.
func TestFindingIDMatchesContract(t *testing.T) {
	for _, c := range [][2]string{
		{"aws.s3.public_access_block", "arn:aws:s3:::data"},
		{"aws.ec2.sg_public_admin_ports", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc"},
	} {
		if a, b := FindingID(c[0], c[1]), contract.FindingID(c[0], c[1]); a != b {
			t.Errorf("FindingID(%s, %s): activities %q, contract %q", c[0], c[1], a, b)
		}
	}
}
