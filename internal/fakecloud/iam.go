package fakecloud

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// IAM speaks the Query protocol like STS: form-encoded Action and Version
// in, <ActionResponse><ActionResult> XML out. It is a global service: its
// CloudTrail records say awsRegion us-east-1 whatever region the client
// signed for, as AWS logs them.
const (
	iamVersion   = "2010-05-08"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	iamRegion    = "us-east-1"
	// iamMaxAttached is IAM's default quota of managed policies per user,
	// role or group.
	iamMaxAttached = 10
	// iamTrailTime is how CloudTrail writes IAM dates in responseElements
	// ("Aug 1, 2024 1:33:28 PM" in a captured CreateUser record).
	iamTrailTime = "Jan 2, 2006 3:04:05 PM"
)

var (
	iamNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathPattern = regexp.MustCompile(`^/([\x21-\x7e]*/)?$`)
	// An AWS managed policy; the fake has no CreatePolicy, so these are the
	// only policies that exist.
	iamManagedPolicy = regexp.MustCompile(`^arn:aws[a-z-]*:iam::aws:policy/([\w+=,.@/-]+)$`)
	iamPolicyARN     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/[\w+=,.@/-]+$`)
)

// iamKind is what differs between users, roles and groups in the calls
// they share.
type iamKind struct {
	kind     string // ARN resource kind and error wording: user, role, group
	title    string // in action and parameter names: User, Role, Group
	idPrefix string
	maxName  int
	tags     bool // IAM groups cannot be tagged
}

var (
	iamUserKind  = iamKind{"user", "User", "AIDA", 64, true}
	iamRoleKind  = iamKind{"role", "Role", "AROA", 64, true}
	iamGroupKind = iamKind{"group", "Group", "AGPA", 128, false}
)

// param is the request parameter naming the principal (UserName), and
// trailParam its requestParameters key (userName).
func (k iamKind) param() string      { return k.title + "Name" }
func (k iamKind) trailParam() string { return k.kind + "Name" }

// iamEntity is one user, role or group.
type iamEntity struct {
	kind    iamKind
	account string
	name    string
	path    string
	id      string
	created time.Time
	// trust is a role's AssumeRolePolicyDocument as given.
	trust       string
	description string
	attached    []string          // managed policy ARNs, in attach order
	inline      map[string]string // inline policy name → document as given
	tags        []iamTag
	// login is a user's console password (iam_credentials.go); nil: none.
	login *iamLoginProfile
	// passwordLastUsed is a user's last console sign-in; zero: never.
	passwordLastUsed time.Time
}

type iamTag struct{ Key, Value string }

func (e *iamEntity) arn() string {
	return fmt.Sprintf("arn:aws:iam::%s:%s%s%s", e.account, e.kind.kind, e.path, e.name)
}

// iamService holds every account's principals. Names are unique without
// regard to case, as in IAM, and keep the case they were created with.
type iamService struct {
	cloud *Cloud

	mu       sync.Mutex
	entities map[string]*iamEntity // iamKey → entity
	// passwords holds each account's password policy (iam_password.go);
	// absent: none.
	passwords map[string]*IAMPasswordPolicy

	ops map[string]func(c *call, p url.Values) *APIError
}

func iamKey(account string, k iamKind, name string) string {
	return account + "/" + k.kind + "/" + strings.ToLower(name)
}

func newIAMService(c *Cloud) *iamService {
	s := &iamService{cloud: c, entities: map[string]*iamEntity{}, passwords: map[string]*IAMPasswordPolicy{}, ops: map[string]func(*call, url.Values) *APIError{}}
	for _, k := range []iamKind{iamUserKind, iamRoleKind, iamGroupKind} {
		k := k
		s.ops["Create"+k.title] = func(c *call, p url.Values) *APIError { return s.create(c, k, p) }
		s.ops["Get"+k.title] = func(c *call, p url.Values) *APIError { return s.get(c, k, p) }
		s.ops["Delete"+k.title] = func(c *call, p url.Values) *APIError { return s.delete(c, k, p) }
		s.ops["List"+k.title+"s"] = func(c *call, p url.Values) *APIError { return s.list(c, k, p) }
		s.ops["Attach"+k.title+"Policy"] = func(c *call, p url.Values) *APIError { return s.attach(c, k, p, true) }
		s.ops["Detach"+k.title+"Policy"] = func(c *call, p url.Values) *APIError { return s.attach(c, k, p, false) }
		s.ops["ListAttached"+k.title+"Policies"] = func(c *call, p url.Values) *APIError { return s.listAttached(c, k, p) }
		s.ops["Put"+k.title+"Policy"] = func(c *call, p url.Values) *APIError { return s.putInline(c, k, p) }
		s.ops["Get"+k.title+"Policy"] = func(c *call, p url.Values) *APIError { return s.getInline(c, k, p) }
		s.ops["Delete"+k.title+"Policy"] = func(c *call, p url.Values) *APIError { return s.deleteInline(c, k, p) }
		s.ops["List"+k.title+"Policies"] = func(c *call, p url.Values) *APIError { return s.listInline(c, k, p) }
		if k.tags {
			s.ops["Tag"+k.title] = func(c *call, p url.Values) *APIError { return s.tag(c, k, p) }
			s.ops["Untag"+k.title] = func(c *call, p url.Values) *APIError { return s.untag(c, k, p) }
			s.ops["List"+k.title+"Tags"] = func(c *call, p url.Values) *APIError { return s.listTags(c, k, p) }
		}
	}
	s.registerPasswordPolicy()
	s.registerAccessKeys()
	s.registerCredentials()
	return s
}

func (s *iamService) eventSource() string { return "iam.amazonaws.com" }

func (s *iamService) actions() []string { return slices.Sorted(maps.Keys(s.ops)) }

func (s *iamService) route(r *http.Request, body []byte) (string, *APIError) {
	params, err := stsParams(r, body)
	if err != nil {
		return "", err
	}
	action, version := params.Get("Action"), params.Get("Version")
	switch {
	case action == "":
		return "", errorf("MissingAction", "The request must contain the parameter Action.")
	case version != iamVersion:
		return action, errorf("InvalidAction", "Could not find operation %s for version %s", action, version)
	case s.ops[action] == nil:
		return action, errorf("InvalidAction", "fakecloud does not emulate IAM %s", action)
	}
	return action, nil
}

func (s *iamService) handle(c *call) *APIError {
	params, err := stsParams(c.r, c.body)
	if err != nil {
		return err
	}
	c.region = iamRegion
	return s.ops[c.action](c, params)
}

// respond writes <ActionResponse> around result, whose XMLName names the
// <ActionResult> element; nil result writes none, as for Attach or Put.
func (s *iamService) respond(c *call, result any) {
	c.writeXML(http.StatusOK, struct {
		XMLName  xml.Name
		Xmlns    string `xml:"xmlns,attr"`
		Result   any
		Metadata stsResponseMetadata `xml:"ResponseMetadata"`
	}{
		XMLName: xml.Name{Local: c.action + "Response"}, Xmlns: iamNamespace,
		Result: result, Metadata: stsResponseMetadata{RequestID: c.requestID},
	})
}

func (s *iamService) writeError(c *call, err *APIError) { writeQueryError(c, iamNamespace, err) }

func (s *iamService) authError(key string) *APIError { return queryAuthError(s.cloud, key) }

func (s *iamService) deniedError(c *call) *APIError {
	resource := "*"
	if p, err := stsParams(c.r, c.body); err == nil {
		for _, k := range []iamKind{iamUserKind, iamRoleKind, iamGroupKind} {
			if name := p.Get(k.param()); name != "" {
				resource = fmt.Sprintf("arn:aws:iam::%s:%s/%s", c.principal.Account, k.kind, name)
			}
		}
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: iam:%s on resource: %s because no identity-based policy allows the iam:%s action",
		c.principal.ARN, c.action, resource, c.action)}
}

// Errors worded as IAM words them.

func iamValidation(format string, args ...any) *APIError {
	return errorf("ValidationError", "1 validation error detected: "+format, args...)
}

func iamNoSuchEntity(format string, args ...any) *APIError {
	e := errorf("NoSuchEntity", format, args...)
	e.Status = http.StatusNotFound
	return e
}

func iamConflict(code, format string, args ...any) *APIError {
	e := errorf(code, format, args...)
	e.Status = http.StatusConflict
	return e
}

// iamName reads and checks a required name parameter (UserName, PolicyName).
func iamName(p url.Values, param string, maxLen int) (string, *APIError) {
	name := p.Get(param)
	key := strings.ToLower(param[:1]) + param[1:]
	switch {
	case name == "":
		return "", iamValidation("Value null at '%s' failed to satisfy constraint: Member must not be null", key)
	case len(name) > maxLen:
		return "", iamValidation("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", name, key, maxLen)
	case !iamNamePattern.MatchString(name):
		return "", iamValidation("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name, key)
	}
	return name, nil
}

// lookup finds a principal; the caller holds s.mu.
func (s *iamService) lookup(account string, k iamKind, name string) (*iamEntity, *APIError) {
	e, ok := s.entities[iamKey(account, k, name)]
	if !ok {
		return nil, iamNoSuchEntity("The %s with name %s cannot be found.", k.kind, name)
	}
	return e, nil
}

// principalParam reads the principal name, records the call's parameters
// (for a mutating call) and finds the principal under s.mu, which it
// leaves locked on success.
func (s *iamService) principalParam(c *call, k iamKind, p url.Values, trail map[string]any) (*iamEntity, *APIError) {
	name := p.Get(k.param())
	if trail != nil {
		trail[k.trailParam()] = name
		c.Record(trail)
	}
	if _, err := iamName(p, k.param(), k.maxName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	e, err := s.lookup(c.account(), k, name)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return e, nil
}

// iamTags reads Tags.member.N.Key / .Value.
func iamTags(p url.Values) ([]iamTag, *APIError) {
	q := ec2Params(p)
	var tags []iamTag
	for _, n := range q.indices("Tags.member") {
		prefix := fmt.Sprintf("Tags.member.%d.", n)
		t := iamTag{Key: q.get(prefix + "Key"), Value: q.get(prefix + "Value")}
		if t.Key == "" {
			return nil, iamValidation("Value null at 'tags.%d.member.key' failed to satisfy constraint: Member must not be null", n)
		}
		tags = append(tags, t)
	}
	if len(tags) > 50 {
		return nil, iamConflict("LimitExceeded", "The number of tags has reached the maximum limit.")
	}
	return tags, nil
}

func iamTagsTrail(tags []iamTag) []any {
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		out = append(out, map[string]any{"key": t.Key, "value": t.Value})
	}
	return out
}

func mergeTags(tags, add []iamTag) []iamTag {
	for _, t := range add {
		i := slices.IndexFunc(tags, func(x iamTag) bool { return x.Key == t.Key })
		if i >= 0 {
			tags[i].Value = t.Value
		} else {
			tags = append(tags, t)
		}
	}
	return tags
}

// validPolicyDocument checks what IAM's parser checks first: a JSON
// object with a Statement.
func validPolicyDocument(doc string) *APIError {
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil || v["Statement"] == nil {
		return errorf("MalformedPolicyDocument", "Syntax errors in policy.")
	}
	return nil
}

// iamEncode is how IAM returns a policy document: URL-encoded (RFC 3986,
// so a space is %20).
func iamEncode(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// iamPage cuts one page of n items by Marker and MaxItems (default 100,
// 1 to 1000). The marker is the index of the next item, which callers
// must treat as opaque.
func iamPage(p url.Values, n int) (from, to int, marker string, err *APIError) {
	limit := 100
	if v := p.Get("MaxItems"); v != "" {
		if _, scanErr := fmt.Sscanf(v, "%d", &limit); scanErr != nil || limit < 1 || limit > 1000 {
			return 0, 0, "", iamValidation("Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
	}
	if m := p.Get("Marker"); m != "" {
		if _, scanErr := fmt.Sscanf(m, "m%d", &from); scanErr != nil || from < 0 || from > n {
			return 0, 0, "", errorf("InvalidInput", "Invalid Marker.")
		}
	}
	to = min(from+limit, n)
	if to < n {
		marker = fmt.Sprintf("m%d", to)
	}
	return from, to, marker, nil
}

// IAMSeed is an IAM user, role or group of the IAM API with its policies.
// It has no access key: callers are UserSeed and RoleSeed.
type IAMSeed struct {
	Kind              string            `yaml:"kind"` // user, role or group
	Name              string            `yaml:"name"`
	ManagedPolicyARNs []string          `yaml:"managed_policy_arns"`
	InlinePolicies    map[string]string `yaml:"inline_policies"` // name → JSON document
}

// SeedIAM creates a user, role or group ("user", "role", "group") with its
// managed and inline policies, without CloudTrail: the state before the
// story starts.
func (c *Cloud) SeedIAM(account, kind, name string, managed []string, inline map[string]string) error {
	var k iamKind
	switch kind {
	case "user":
		k = iamUserKind
	case "role":
		k = iamRoleKind
	case "group":
		k = iamGroupKind
	default:
		return fmt.Errorf("seed iam %s %s: kind must be user, role or group", kind, name)
	}
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	key := iamKey(account, k, name)
	if _, ok := s.entities[key]; ok {
		return fmt.Errorf("seed iam %s %s: already exists", kind, name)
	}
	e := &iamEntity{kind: k, account: account, name: name, path: "/", id: k.idPrefix + strings.ToUpper(newID("", 17)),
		created: c.now().UTC(), attached: slices.Clone(managed), inline: map[string]string{}}
	if k == iamRoleKind {
		e.trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	}
	for n, doc := range inline {
		if err := validPolicyDocument(doc); err != nil {
			return fmt.Errorf("seed iam %s %s: inline policy %s: %s", kind, name, n, err.Message)
		}
		e.inline[n] = doc
	}
	s.entities[key] = e
	return nil
}

// IAMPolicies reports a principal's attached managed policy ARNs and
// inline policy documents, for tests; ok is false when it does not exist.
func (c *Cloud) IAMPolicies(account, kind, name string) (managed []string, inline map[string]string, ok bool) {
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []iamKind{iamUserKind, iamRoleKind, iamGroupKind} {
		if k.kind != kind {
			continue
		}
		e, found := s.entities[iamKey(account, k, name)]
		if !found {
			return nil, nil, false
		}
		inline = map[string]string{}
		for n, d := range e.inline {
			inline[n] = d
		}
		return slices.Clone(e.attached), inline, true
	}
	return nil, nil, false
}
