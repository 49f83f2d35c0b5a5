package fakecloud

import (
	"fmt"
	"path"
	"strings"
	"sync"
	"time"
)

// Principal types as CloudTrail writes them in userIdentity.type.
const (
	PrincipalUser        = "IAMUser"
	PrincipalAssumedRole = "AssumedRole"
)

// The demo admin user of DefaultAccount, so `rectify fakecloud` serves an
// SDK with no set-up. These are fake credentials for a fake cloud.
const (
	DefaultAccessKeyID     = "AKIAFAKEADMIN0000001"
	DefaultSecretAccessKey = "fakecloud-admin-secret"
	DefaultUserName        = "admin"
)

// Principal is who makes a call: an IAM user, or a session of an assumed role.
type Principal struct {
	Type        string
	Account     string
	ARN         string
	PrincipalID string
	UserName    string // IAM users

	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // assumed roles
	Expiration      time.Time
	Created         time.Time
	// Inactive is an IAM user's access key turned off by UpdateAccessKey:
	// IAM refuses it as it refuses an unknown key.
	Inactive bool
	// LastUsed is when an IAM user's access key last signed a request
	// that IAM authenticated, and the service (signing name) and region
	// it went to; zero: never. GetAccessKeyLastUsed reports it.
	LastUsed        time.Time
	LastUsedService string
	LastUsedRegion  string

	Role        *Role // assumed roles: the session issuer
	SessionName string

	// Deny lists "service:Action" patterns (path.Match globs, e.g.
	// "ec2:Revoke*") this principal may not call, to test AccessDenied paths.
	Deny []string
}

// Role is an IAM role that STS AssumeRole can hand out sessions for.
type Role struct {
	Account string
	Name    string
	ARN     string
	RoleID  string
	// Trust lists principal ARN globs allowed to assume the role; empty
	// means any principal of the same account.
	Trust []string
	// ExternalID, when set, must be passed to AssumeRole.
	ExternalID string
	// Deny is copied into every session.
	Deny []string
}

func (p *Principal) denies(action string) bool {
	for _, pat := range p.Deny {
		if ok, _ := path.Match(pat, action); ok {
			return true
		}
	}
	return false
}

type identities struct {
	cloud *Cloud
	mu    sync.Mutex
	keys  map[string]*Principal // access key id → principal
	roles map[string]*Role      // role ARN → role
}

func newIdentities(c *Cloud) *identities {
	return &identities{cloud: c, keys: map[string]*Principal{}, roles: map[string]*Role{}}
}

func (ids *identities) addDefaults() {
	ids.cloud.AddUser(DefaultAccount, DefaultUserName, DefaultAccessKeyID, DefaultSecretAccessKey)
}

// AddUser creates an IAM user with one access key and returns it.
func (c *Cloud) AddUser(account, name, accessKeyID, secret string, deny ...string) *Principal {
	p := &Principal{
		Type:            PrincipalUser,
		Account:         account,
		ARN:             fmt.Sprintf("arn:aws:iam::%s:user/%s", account, name),
		PrincipalID:     "AIDA" + strings.ToUpper(newID("", 17)),
		UserName:        name,
		AccessKeyID:     accessKeyID,
		SecretAccessKey: secret,
		Created:         c.now(),
		Deny:            deny,
	}
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	c.ids.keys[accessKeyID] = p
	return p
}

// AddRole creates an IAM role that AssumeRole can hand sessions out for.
func (c *Cloud) AddRole(r Role) *Role {
	if r.ARN == "" {
		r.ARN = fmt.Sprintf("arn:aws:iam::%s:role/%s", r.Account, r.Name)
	}
	if r.RoleID == "" {
		r.RoleID = "AROA" + strings.ToUpper(newID("", 17))
	}
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	c.ids.roles[r.ARN] = &r
	return &r
}

// RevokeSessions forgets every assumed-role session of roleARN ("" for
// every role), as a restart of the identity store or a revocation of
// active sessions does: a caller still signing with one is refused as
// with an unknown key (InvalidClientTokenId, AuthFailure,
// InvalidAccessKeyId, UnrecognizedClientException by service family),
// until it assumes the role again. It returns how many sessions it forgot,
// which is how many AssumeRole calls succeeded since the last revocation.
func (c *Cloud) RevokeSessions(roleARN string) int {
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	n := 0
	for key, p := range c.ids.keys {
		if p.Role != nil && (roleARN == "" || p.Role.ARN == roleARN) {
			delete(c.ids.keys, key)
			n++
		}
	}
	return n
}

// lookup finds the principal of an access key that has not expired.
func (ids *identities) lookup(key string, now time.Time) (*Principal, bool) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	p, ok := ids.keys[key]
	if !ok || p.Inactive || (!p.Expiration.IsZero() && now.After(p.Expiration)) {
		return nil, false
	}
	return p, true
}

// assume checks the role's trust and returns a new session of it.
func (ids *identities) assume(caller *Principal, roleARN, sessionName, externalID string, duration time.Duration) (*Principal, *APIError) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	notAuthorized := errorf("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)
	notAuthorized.Status = 403
	r, ok := ids.roles[roleARN]
	if !ok || !r.trusts(caller) || r.ExternalID != externalID {
		return nil, notAuthorized
	}
	now := ids.cloud.now()
	s := &Principal{
		Type:            PrincipalAssumedRole,
		Account:         r.Account,
		ARN:             fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", r.Account, r.Name, sessionName),
		PrincipalID:     r.RoleID + ":" + sessionName,
		AccessKeyID:     "ASIA" + strings.ToUpper(newID("", 16)),
		SecretAccessKey: newID("", 40),
		SessionToken:    newID("FQoGZXIvYXdzE", 64),
		Created:         now,
		Expiration:      now.Add(duration),
		Role:            r,
		SessionName:     sessionName,
		Deny:            r.Deny,
	}
	ids.keys[s.AccessKeyID] = s
	return s, nil
}

func (r *Role) trusts(p *Principal) bool {
	if len(r.Trust) == 0 {
		return p.Account == r.Account
	}
	for _, pat := range r.Trust {
		if globMatch(pat, p.ARN) || (p.Role != nil && globMatch(pat, p.Role.ARN)) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern where '*' matches any run of
// characters, '/' included (unlike path.Match), as IAM ARN patterns do.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
