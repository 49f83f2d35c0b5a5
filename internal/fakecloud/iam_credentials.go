package fakecloud

import (
	"encoding/xml"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Credentials' last use (FSBP IAM.8, IAM.22): GetAccessKeyLastUsed reads
// what every authenticated request of a user key records (call.go), and a
// user's console password is its login profile, with the last sign-in on
// the user (GetUser's PasswordLastUsed). The fake has no console to sign
// in to: tests set the last sign-in with SeedPasswordLastUsed, and make a
// key look stale with SeedAccessKeyLastUsed.

func (s *iamService) registerCredentials() {
	s.ops["GetAccessKeyLastUsed"] = s.getAccessKeyLastUsed
	s.ops["GetLoginProfile"] = s.getLoginProfile
	s.ops["CreateLoginProfile"] = s.createLoginProfile
	s.ops["UpdateLoginProfile"] = s.updateLoginProfile
	s.ops["DeleteLoginProfile"] = s.deleteLoginProfile
}

// iamLoginProfile is a user's console password.
type iamLoginProfile struct {
	created       time.Time
	resetRequired bool
	password      string
}

// markUsed records a user key's use; other principals are left alone.
func (ids *identities) markUsed(p *Principal, at time.Time, service, region string) {
	if p.Type != PrincipalUser {
		return
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	p.LastUsed, p.LastUsedService, p.LastUsedRegion = at, service, region
}

// SeedAccessKeyLastUsed sets when an access key was last used (zero:
// never), so a test can make a key look stale; it reports whether the key
// exists.
func (c *Cloud) SeedAccessKeyLastUsed(keyID string, at time.Time, service, region string) bool {
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	p, ok := c.ids.keys[keyID]
	if !ok || p.Type != PrincipalUser {
		return false
	}
	p.LastUsed, p.LastUsedService, p.LastUsedRegion = at, service, region
	return true
}

// SeedLoginProfile gives an IAM user (SeedIAM's) a console password made
// at created, without CloudTrail.
func (c *Cloud) SeedLoginProfile(account, user, password string, created time.Time) error {
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.lookup(account, iamUserKind, user)
	if err != nil {
		return err
	}
	e.login = &iamLoginProfile{created: created.UTC(), password: password}
	return nil
}

// SeedPasswordLastUsed sets the user's last console sign-in (zero: never),
// as GetUser's PasswordLastUsed reports it.
func (c *Cloud) SeedPasswordLastUsed(account, user string, at time.Time) error {
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.lookup(account, iamUserKind, user)
	if err != nil {
		return err
	}
	e.passwordLastUsed = at.UTC()
	return nil
}

// HasLoginProfile reports whether an IAM user has a console password, for
// tests.
func (c *Cloud) HasLoginProfile(account, user string) bool {
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.lookup(account, iamUserKind, user)
	return err == nil && e.login != nil
}

func (s *iamService) getAccessKeyLastUsed(c *call, p url.Values) *APIError {
	keyID := p.Get("AccessKeyId")
	if keyID == "" {
		return iamValidation("Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null")
	}
	ids := s.cloud.ids
	ids.mu.Lock()
	k, ok := ids.keys[keyID]
	if !ok || k.Type != PrincipalUser || k.Account != c.account() {
		ids.mu.Unlock()
		return iamNoSuchEntity("The Access Key with id %s cannot be found.", keyID)
	}
	type lastUsed struct {
		LastUsedDate string `xml:",omitempty"`
		ServiceName  string
		Region       string
	}
	// A key never used: IAM answers N/A for the service and region and
	// leaves the date out.
	used := lastUsed{ServiceName: "N/A", Region: "N/A"}
	if !k.LastUsed.IsZero() {
		used = lastUsed{LastUsedDate: k.LastUsed.UTC().Format(time.RFC3339), ServiceName: k.LastUsedService, Region: k.LastUsedRegion}
	}
	user := k.UserName
	ids.mu.Unlock()
	s.respond(c, struct {
		XMLName           xml.Name `xml:"GetAccessKeyLastUsedResult"`
		UserName          string
		AccessKeyLastUsed lastUsed
	}{UserName: user, AccessKeyLastUsed: used})
	return nil
}

type iamXMLLoginProfile struct {
	UserName              string
	CreateDate            string
	PasswordResetRequired bool
}

func (e *iamEntity) loginXML() iamXMLLoginProfile {
	return iamXMLLoginProfile{UserName: e.name, CreateDate: e.login.created.Format(time.RFC3339), PasswordResetRequired: e.login.resetRequired}
}

func iamNoLoginProfile(user string) *APIError {
	return iamNoSuchEntity("Login Profile for User %s cannot be found.", user)
}

func (s *iamService) getLoginProfile(c *call, p url.Values) *APIError {
	e, err := s.principalParam(c, iamUserKind, p, nil)
	if err != nil {
		return err
	}
	if e.login == nil {
		s.mu.Unlock()
		return iamNoLoginProfile(e.name)
	}
	x := e.loginXML()
	s.mu.Unlock()
	s.respond(c, struct {
		XMLName      xml.Name `xml:"GetLoginProfileResult"`
		LoginProfile iamXMLLoginProfile
	}{LoginProfile: x})
	return nil
}

// loginTrail is a login profile call's requestParameters: CloudTrail never
// logs the password itself.
func loginTrail(p url.Values) map[string]any {
	trail := map[string]any{"userName": p.Get("UserName")}
	if p.Has("Password") {
		trail["password"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
	}
	if v := p.Get("PasswordResetRequired"); v != "" {
		trail["passwordResetRequired"] = v == "true"
	}
	return trail
}

func (s *iamService) createLoginProfile(c *call, p url.Values) *APIError {
	e, err := s.principalParam(c, iamUserKind, p, loginTrail(p))
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if e.login != nil {
		return iamConflict("EntityAlreadyExists", "Login Profile for user %s already exists.", e.name)
	}
	password := p.Get("Password")
	if perr := s.checkPassword(c.account(), password); perr != nil {
		return perr
	}
	e.login = &iamLoginProfile{created: c.time, resetRequired: p.Get("PasswordResetRequired") == "true", password: password}
	x := e.loginXML()
	c.RecordResponse(map[string]any{"loginProfile": map[string]any{
		"userName": x.UserName, "createDate": e.login.created.Format(iamTrailTime), "passwordResetRequired": x.PasswordResetRequired,
	}})
	s.respond(c, struct {
		XMLName      xml.Name `xml:"CreateLoginProfileResult"`
		LoginProfile iamXMLLoginProfile
	}{LoginProfile: x})
	return nil
}

// updateLoginProfile sets a new password or the reset flag; the profile
// keeps its CreateDate, as IAM's does.
func (s *iamService) updateLoginProfile(c *call, p url.Values) *APIError {
	e, err := s.principalParam(c, iamUserKind, p, loginTrail(p))
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if e.login == nil {
		return iamNoLoginProfile(e.name)
	}
	if p.Has("Password") {
		if perr := s.checkPassword(c.account(), p.Get("Password")); perr != nil {
			return perr
		}
		e.login.password = p.Get("Password")
	}
	if v := p.Get("PasswordResetRequired"); v != "" {
		e.login.resetRequired = v == "true"
	}
	s.respond(c, nil)
	return nil
}

func (s *iamService) deleteLoginProfile(c *call, p url.Values) *APIError {
	e, err := s.principalParam(c, iamUserKind, p, map[string]any{})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if e.login == nil {
		return iamNoLoginProfile(e.name)
	}
	e.login = nil
	s.respond(c, nil)
	return nil
}

// passwordClass is one character class a password policy may require.
type passwordClass struct {
	need bool
	in   func(rune) bool
	what string
}

// iamSymbols are the characters IAM counts as symbols.
const iamSymbols = "!@#$%^&*()_+-=[]{}|'"

// checkPassword applies the account's password policy (length and
// character classes; without one, IAM's default of 8 characters) as IAM
// does on a new password. The caller holds s.mu.
func (s *iamService) checkPassword(account, password string) *APIError {
	if password == "" {
		return iamValidation("Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	minLen, classes := 8, []passwordClass(nil)
	if pol := s.passwords[account]; pol != nil {
		minLen = pol.MinimumPasswordLength
		classes = []passwordClass{
			{pol.RequireUppercaseCharacters, unicode.IsUpper, "uppercase"},
			{pol.RequireLowercaseCharacters, unicode.IsLower, "lowercase"},
			{pol.RequireNumbers, unicode.IsDigit, "number"},
			{pol.RequireSymbols, func(r rune) bool { return strings.ContainsRune(iamSymbols, r) }, "symbol"},
		}
	}
	if len(password) < minLen {
		return errorf("PasswordPolicyViolation", "Password should have at least %d characters", minLen)
	}
	for _, cl := range classes {
		if cl.need && strings.IndexFunc(password, cl.in) < 0 {
			return errorf("PasswordPolicyViolation", "Password should have at least one %s character", cl.what)
		}
	}
	return nil
}
