// Package resource holds the normalized resource document that every policy
// sees, whichever plane it came from. It is the contract between the
// preventative plane (Terraform plans) and the reactive plane (live AWS reads):
// the same real configuration must normalize to the same Properties.
package resource

import "fmt"

// Plane says where a resource document came from.
type Plane string

const (
	PlanePlan Plane = "plan"
	PlaneLive Plane = "live"
)

// Terraform type names are the vocabulary of both planes.
const (
	TypeSecurityGroup = "aws_security_group"
	TypeS3Bucket      = "aws_s3_bucket"
	TypeIAMUser       = "aws_iam_user"
	TypeIAMRole       = "aws_iam_role"
	TypeIAMGroup      = "aws_iam_group"
)

// Resource is input.resource for every policy. Properties are normalized per
// type and are identical in both planes; a value unknown at plan time is
// absent from Properties (never false), so policies cannot deny on it.
type Resource struct {
	Type       string            `json:"type"`
	Address    *string           `json:"address"`
	ARN        string            `json:"arn"`
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Account    string            `json:"account"`
	Region     string            `json:"region"`
	Tags       map[string]string `json:"tags"`
	Plane      Plane             `json:"plane"`
	Properties map[string]any    `json:"properties"`
	// TagsErr, live plane only, is why the tags could not be read; Tags is
	// then nil, unknown to the policies. It is not part of the policy
	// input: exemptions read it, to ask a human rather than guess.
	TagsErr error `json:"-"`
}

// SecurityGroupARN builds the ARN EC2 uses for a security group.
func SecurityGroupARN(account, region, groupID string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", region, account, groupID)
}

// BucketARN builds the ARN of an S3 bucket. Bucket ARNs carry neither
// account nor region because bucket names are global.
func BucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// IAMARN builds the ARN of an IAM user, role or group ("user", "role", "group").
func IAMARN(account, kind, name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:%s/%s", account, kind, name)
}

// Ref identifies a resource without its configuration: what travels in
// events, workflow inputs and IDs. The ARN is the identity.
type Ref struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	ARN     string `json:"arn"`
	Account string `json:"account"`
	Region  string `json:"region"`
}

// String is the ARN, for logs.
func (r Ref) String() string { return r.ARN }
