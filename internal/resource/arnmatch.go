package resource

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// MatchARN reports whether s matches the ARN pattern, where '*' matches
// any run of characters, '/' and ':' included, as in IAM policies (and in
// rectify's config: remediation roles, exemptions). It backtracks only to
// the last star, so it runs in O(len(pattern)*len(s)) at worst.
func MatchARN(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// CheckARNPattern reports why p cannot be an ARN pattern that MatchARN is
// meant to take, or nil. A pattern is an ARN, arn:PARTITION:SERVICE:REGION:
// ACCOUNT:RESOURCE, in which '*' may stand for any run of characters. The
// parts written out in full are checked: a pattern that can match no ARN is
// a typo that would silently match nothing (an exemption that never holds, a
// remediation role whose events are not dropped).
func CheckARNPattern(p string) error {
	if !strings.HasPrefix(p, "arn:") {
		return fmt.Errorf("%q is not an ARN pattern: want arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, '*' for any run of characters", p)
	}
	if i := strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return fmt.Errorf("ARN pattern %q has a space or control character at byte %d", p, i)
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 && !strings.Contains(p, "*") {
		return fmt.Errorf("ARN %q has %d of its 6 colon-separated parts (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", p, len(parts))
	}
	// A '*' may match colons too. With all six parts written, they are
	// read by position, as in IAM policies; with fewer, the parts after the
	// first '*' cannot be placed, so only those before it are checked.
	for i, part := range parts[1:] {
		if strings.Contains(part, "*") {
			if len(parts) < 6 {
				break
			}
			continue
		}
		field := arnParts[i]
		switch {
		case part == "" && (field == "partition" || field == "service" || field == "resource"):
			return fmt.Errorf("ARN pattern %q: the %s part is empty", p, field)
		case field == "partition" && !partitionPattern.MatchString(part):
			return fmt.Errorf("ARN pattern %q: partition %q is not a partition such as aws, aws-cn or aws-us-gov", p, part)
		case field == "account" && part != "" && part != "aws" && !IsAccountID(part):
			return fmt.Errorf("ARN pattern %q: account %q is not a 12-digit account id", p, part)
		}
	}
	return nil
}

// arnParts names the parts of an ARN after "arn".
var arnParts = [5]string{"partition", "service", "region", "account", "resource"}

var partitionPattern = regexp.MustCompile(`^aws(-[a-z]+)*$`)

// IsAccountID reports whether s is an AWS account id: exactly 12 digits.
func IsAccountID(s string) bool { return accountID.MatchString(s) }
