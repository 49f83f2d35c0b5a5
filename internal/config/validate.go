package config

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/suggest"
)

// MinSweepInterval bounds sweeps[].every from below. A sweep lists every
// supported resource of an account and region page by page; one due while
// the last still runs is skipped, so a shorter interval only keeps the list
// calls (and their API rate limits) busy all the time.
const MinSweepInterval = time.Minute

// regionPattern is the shape of an AWS region name: us-east-1,
// us-gov-west-1, ap-southeast-5, eusc-de-east-1.
var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z]+)+-[0-9]+$`)

// ValidateWith is Validate plus what needs the policy set: every policy id
// the file names (policies:, exemptions[].policies, slack.routes[].policies)
// must be one of known. The worker and the local stack call it once their
// policies are loaded, and `rectify config validate` calls it for a file, so
// every entry point refuses the same mistakes. Errors name the file, when
// the configuration came from one, and the field.
func (c *Config) ValidateWith(known, optionKeys []string) error {
	if err := c.Validate(); err != nil {
		return c.wrap(err)
	}
	if err := c.checkPolicyIDs(known); err != nil {
		return c.wrap(err)
	}
	if err := c.checkOptions(optionKeys); err != nil {
		return c.wrap(err)
	}
	return nil
}

// checkOptions refuses a remediation key no action declares: a typo would
// leave the action waiting for a setting it already has.
func (c *Config) checkOptions(known []string) error {
	for _, k := range sortedKeys(c.RemediationOptions()) {
		if slices.Contains(known, k) {
			continue
		}
		if len(known) == 0 {
			return fmt.Errorf("remediation.%s: no action takes options", k)
		}
		return fmt.Errorf("remediation.%s: no action takes this option%s", k, suggest.Hint(k, known))
	}
	return nil
}

// wrap names where the configuration came from: the file, and the
// environment variable when one set the failing field.
func (c *Config) wrap(err error) error {
	for _, e := range c.fromEnv {
		if strings.HasPrefix(err.Error(), e.field+":") || strings.HasPrefix(err.Error(), e.field+"[") {
			err = fmt.Errorf("%w (set by environment %s)", err, e.name)
			break
		}
	}
	if c.source == "" {
		return fmt.Errorf("config: %w", err)
	}
	return fmt.Errorf("%s: %w", c.source, err)
}

// checkPolicyIDs finds the first policy id, in the order the fields are
// documented, that no loaded policy declares. Such a typo does not fail
// anywhere else: a mode meant for the policy never applies, an exemption
// never holds, a route never matches.
func (c *Config) checkPolicyIDs(known []string) error {
	for _, id := range sortedKeys(c.Policies) {
		if !slices.Contains(known, id) {
			return fmt.Errorf("policies.%s: no such policy%s", id, suggest.Hint(id, known))
		}
	}
	for i, r := range c.Exemptions {
		for j, id := range r.Policies {
			if id != "all" && !slices.Contains(known, id) {
				return fmt.Errorf("exemptions[%d].policies[%d]: %q: no such policy%s", i, j, id, suggest.Hint(id, known))
			}
		}
	}
	for i, r := range c.Stages {
		if r.Policy != "" && !slices.Contains(known, r.Policy) {
			return fmt.Errorf("stages[%d].policy: %q: no such policy%s", i, r.Policy, suggest.Hint(r.Policy, known))
		}
	}
	for i, r := range c.Slack.Routes {
		for j, glob := range r.Policies {
			if !slices.ContainsFunc(known, func(id string) bool { ok, _ := path.Match(glob, id); return ok }) {
				return fmt.Errorf("slack.routes[%d].policies[%d]: %q matches no policy%s", i, j, glob, suggest.Hint(glob, known))
			}
		}
	}
	return nil
}

// validate checks the region, endpoint and role rectify acts through, and
// the findings batching.
func (a AWS) validate() error {
	if !regionPattern.MatchString(a.Region) {
		return fmt.Errorf("aws.region: %q is not an AWS region such as us-east-1", a.Region)
	}
	if err := checkURL("aws.endpoint", a.Endpoint); err != nil {
		return err
	}
	if err := checkRoleTemplate(a.AssumeRole); err != nil {
		return fmt.Errorf("aws.assume_role: %w", err)
	}
	return validateBatching("aws.findings_batch_delay", a.FindingsBatchDelay, "aws.findings_batch_max_delay", a.FindingsBatchMaxDelay)
}

// bucketName is S3's rule for a bucket name: 3 to 63 lowercase letters,
// digits, '.' and '-', starting and ending with a letter or digit.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validate checks the audit trail's bucket, prefix, region and batching.
// A prefix written out with no bucket is refused: the trail would be off
// while the file says where it goes.
func (a Audit) validate(explicit map[string]bool) error {
	if a.Bucket == "" {
		if explicit["audit.prefix"] || explicit["audit.region"] {
			return errors.New("audit.bucket: required when audit.prefix or audit.region is set (without a bucket the audit trail is off)")
		}
		return nil
	}
	if !bucketName.MatchString(a.Bucket) || strings.Contains(a.Bucket, "..") {
		return fmt.Errorf("audit.bucket: %q is not an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'; give the name, not an ARN or s3:// URL)", a.Bucket)
	}
	switch {
	case strings.HasPrefix(a.Prefix, "/"):
		return fmt.Errorf("audit.prefix: %q starts with '/': S3 keys have no leading slash (write rectify/audit/)", a.Prefix)
	case strings.Contains(a.Prefix, "//"):
		return fmt.Errorf("audit.prefix: %q has an empty path segment (//)", a.Prefix)
	case len(a.Prefix) > 512:
		return fmt.Errorf("audit.prefix: %d bytes: at most 512 (an S3 key is at most 1024)", len(a.Prefix))
	}
	if a.Region != "" && !regionPattern.MatchString(a.Region) {
		return fmt.Errorf("audit.region: %q is not an AWS region such as us-east-1", a.Region)
	}
	return validateBatching("audit.batch_delay", a.BatchDelay, "audit.batch_max_delay", a.BatchMaxDelay)
}

// checkRoleTemplate checks aws.assume_role: an IAM role ARN in which
// {account} stands for the target account. A fixed ARN (no {account}) is
// allowed for a single-account deployment.
func checkRoleTemplate(tmpl string) error {
	if tmpl == "" {
		return nil
	}
	const example = "want an IAM role ARN template such as arn:aws:iam::{account}:role/rectify-remediation"
	arn := strings.ReplaceAll(tmpl, "{account}", "123456789012")
	if strings.ContainsAny(arn, "{}*") {
		return fmt.Errorf("%q: only {account} may be templated, and no '*': %s", tmpl, example)
	}
	if err := resource.CheckARNPattern(arn); err != nil {
		return fmt.Errorf("%q: %s", tmpl, example)
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || parts[3] != "" || !strings.HasPrefix(parts[5], "role/") || len(parts[5]) == len("role/") {
		return fmt.Errorf("%q is not an IAM role ARN: %s", tmpl, example)
	}
	return nil
}

// checkRolePattern checks one remediation_roles entry: the pattern must be
// able to match the actor CloudTrail records for a remediation, the role
// (arn:aws:iam::ACCOUNT:role/NAME) or its session (arn:aws:sts::ACCOUNT:
// assumed-role/NAME/SESSION). Anything else never matches, and rectify's
// own fixes would start new evaluations: loop prevention, layer 1, off.
func checkRolePattern(p string) error {
	if err := resource.CheckARNPattern(p); err != nil {
		return err
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) >= 3 && !strings.Contains(parts[1]+parts[2], "*") && parts[2] != "iam" && parts[2] != "sts" {
		return fmt.Errorf("%q names service %s: want an IAM role (arn:aws:iam::*:role/NAME) or STS session pattern", p, parts[2])
	}
	return nil
}

// checkURL checks an endpoint given as a URL: absolute, http or https,
// with a host. An empty value means unset.
func checkURL(field, s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%s: %q is not a URL: %w", field, s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an http(s) URL with a host, such as https://sqs.us-east-1.amazonaws.com/123456789012/rectify-events", field, s)
	}
	return nil
}

// Validate names the first field of the sweep that is wrong, relative to
// the sweep: the config and `rectify sweep schedule` flags share it.
func (s Sweep) Validate() error {
	switch {
	case s.Account == "":
		return fmt.Errorf("account: required")
	case !resource.IsAccountID(s.Account):
		return fmt.Errorf("account: %q is not a 12-digit account id", s.Account)
	case s.Region == "":
		return fmt.Errorf("region: required")
	case !regionPattern.MatchString(s.Region):
		return fmt.Errorf("region: %q is not an AWS region such as us-east-1", s.Region)
	case s.Every <= 0:
		return fmt.Errorf("every: required, e.g. 6h")
	case time.Duration(s.Every) < MinSweepInterval:
		return fmt.Errorf("every: %s is shorter than the minimum %s: a sweep lists every resource of the account and region", time.Duration(s.Every), MinSweepInterval)
	case s.PagesPerSecond < 0:
		return fmt.Errorf("pages_per_second: must not be negative")
	}
	return nil
}

// validateLoops checks the settings the watch window and the flap budget
// (loop prevention, layer 4) and approvals depend on. Zero fields of a
// policy entry inherit the defaults, so a 0 written in a policy entry
// (explicit) is refused rather than silently meaning "the default".
func (p PolicySettings) validateLoops(at string, isDefault bool, explicit map[string]bool) error {
	set := func(field string) bool { return isDefault || explicit[at+"."+field] }
	if set("max_remediations") && p.MaxRemediations < 1 {
		return fmt.Errorf("%s.max_remediations: %d: must be at least 1 (remediations allowed inside the watch window before rectify stops and escalates)%s",
			at, p.MaxRemediations, inherit(isDefault, "max_remediations"))
	}
	if set("watch_window") && p.WatchWindow <= 0 {
		return fmt.Errorf("%s.watch_window: %s: must be longer than 0 (a fixed violation stays open this long to catch a recurrence)%s",
			at, time.Duration(p.WatchWindow), inherit(isDefault, "watch_window"))
	}
	if set("approval_timeout") && p.ApprovalTimeout <= 0 {
		return fmt.Errorf("%s.approval_timeout: %s: must be longer than 0%s", at, time.Duration(p.ApprovalTimeout), inherit(isDefault, "approval_timeout"))
	}
	return nil
}

func inherit(isDefault bool, field string) string {
	if isDefault {
		return ""
	}
	return "; leave the line out to inherit defaults." + field
}

// explicitFields is the YAML read once more, loosely, for which settings
// the file wrote out: a policy entry's zero means "inherit", so a written
// 0 can only be told apart here.
type explicitFields struct {
	Audit struct {
		Prefix *string `yaml:"prefix"`
		Region *string `yaml:"region"`
	} `yaml:"audit"`
	Policies map[string]struct {
		MaxRemediations *int      `yaml:"max_remediations"`
		WatchWindow     *Duration `yaml:"watch_window"`
		ApprovalTimeout *Duration `yaml:"approval_timeout"`
	} `yaml:"policies"`
}

func (e explicitFields) paths() map[string]bool {
	out := map[string]bool{"audit.prefix": e.Audit.Prefix != nil, "audit.region": e.Audit.Region != nil}
	for id, p := range e.Policies {
		at := "policies." + id
		out[at+".max_remediations"] = p.MaxRemediations != nil
		out[at+".watch_window"] = p.WatchWindow != nil
		out[at+".approval_timeout"] = p.ApprovalTimeout != nil
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
