package events

import (
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/internal/resource"
)

// Terraform type names of resources AWS Config reports that internal/resource
// has no constant for yet. They name the resource for the starter; whether a
// policy judges it is up to the policies.
const (
	typeDBInstance = "aws_db_instance"
	typeCloudTrail = "aws_cloudtrail"
	typeKMSKey     = "aws_kms_key"
)

// arn is an ARN split into its six parts. Resource keeps its own '/' and ':'.
type arn struct {
	partition, service, region, account, resource string
}

// parseARN splits s, or reports false when s is not an ARN.
func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return arn{}, false
	}
	return arn{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// after returns what follows prefix in the ARN's resource part
// ("security-group/" → "sg-1"), or "" when the resource is of another kind.
func (a arn) after(prefix string) string {
	rest, ok := strings.CutPrefix(a.resource, prefix)
	if !ok {
		return ""
	}
	return rest
}

// iamName is the last element of an IAM user, role or group ARN's resource
// (role/service-role/x → x): CloudTrail names principals without their path,
// so this is the name both planes agree on.
func (a arn) iamName(kind string) string {
	rest := a.after(kind + "/")
	return rest[strings.LastIndexByte(rest, '/')+1:]
}

// The ARN builders for types internal/resource does not cover. They follow
// the formats in the Service Authorization Reference.
func dbInstanceARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", region, account, name)
}

func trailARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, account, name)
}

func kmsKeyARN(account, region, id string) string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, id)
}

// canonicalIAMARN is the ARN rectify uses as the identity of an IAM
// principal: without its path, because CloudTrail records name the principal
// without it, and the same role must map to one Evaluate workflow whichever
// source reported the change.
func canonicalIAMARN(account, kind, name string) string {
	return resource.IAMARN(account, kind, name)
}

// iamGlobalRegion is where IAM, a global service, is called in the aws
// partition. AWS Config records IAM resources in region "global", which no
// client can be built for.
const iamGlobalRegion = "us-east-1"
