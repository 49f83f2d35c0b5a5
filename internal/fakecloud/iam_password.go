package fakecloud

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
)

// The account password policy: one per account, none until
// UpdateAccountPasswordPolicy creates it. Update replaces the whole
// policy: a parameter left out takes IAM's default (false, length 6, no
// age or reuse limit), as in AWS.

// IAMPasswordPolicy is an account's password policy. MaxPasswordAge and
// PasswordReusePrevention are 0 when not limited, which IAM leaves out of
// its answer.
type IAMPasswordPolicy struct {
	MinimumPasswordLength      int   `yaml:"minimum_password_length"`
	RequireUppercaseCharacters bool  `yaml:"require_uppercase_characters"`
	RequireLowercaseCharacters bool  `yaml:"require_lowercase_characters"`
	RequireSymbols             bool  `yaml:"require_symbols"`
	RequireNumbers             bool  `yaml:"require_numbers"`
	AllowUsersToChangePassword bool  `yaml:"allow_users_to_change_password"`
	MaxPasswordAge             int   `yaml:"max_password_age"`
	PasswordReusePrevention    int   `yaml:"password_reuse_prevention"`
	HardExpiry                 *bool `yaml:"hard_expiry"`
}

// iamDefaultMinLength is what IAM sets when Update leaves the length out.
const iamDefaultMinLength = 6

func (s *iamService) registerPasswordPolicy() {
	s.ops["GetAccountPasswordPolicy"] = s.getPasswordPolicy
	s.ops["UpdateAccountPasswordPolicy"] = s.updatePasswordPolicy
	s.ops["DeleteAccountPasswordPolicy"] = s.deletePasswordPolicy
}

// SetIAMPasswordPolicy sets (nil: deletes) an account's password policy
// without CloudTrail: the state before the story starts.
func (c *Cloud) SetIAMPasswordPolicy(account string, p *IAMPasswordPolicy) {
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == nil {
		delete(s.passwords, account)
		return
	}
	cp := *p
	s.passwords[account] = &cp
}

// IAMPasswordPolicyOf reads an account's password policy, for tests; nil
// when it has none.
func (c *Cloud) IAMPasswordPolicyOf(account string) *IAMPasswordPolicy {
	s := c.iam
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.passwords[account]
	if !ok {
		return nil
	}
	cp := *p
	return &cp
}

type iamXMLPasswordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             int `xml:",omitempty"`
	PasswordReusePrevention    int `xml:",omitempty"`
	HardExpiry                 *bool
}

func iamNoPasswordPolicy(account string) *APIError {
	return iamNoSuchEntity("The Password Policy with domain name %s cannot be found.", account)
}

func (s *iamService) getPasswordPolicy(c *call, _ url.Values) *APIError {
	s.mu.Lock()
	p, ok := s.passwords[c.account()]
	var x iamXMLPasswordPolicy
	if ok {
		x = iamXMLPasswordPolicy{
			MinimumPasswordLength: p.MinimumPasswordLength, RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
			RequireUppercaseCharacters: p.RequireUppercaseCharacters, RequireLowercaseCharacters: p.RequireLowercaseCharacters,
			AllowUsersToChangePassword: p.AllowUsersToChangePassword, ExpirePasswords: p.MaxPasswordAge > 0,
			MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, HardExpiry: p.HardExpiry,
		}
	}
	s.mu.Unlock()
	if !ok {
		return iamNoPasswordPolicy(c.account())
	}
	s.respond(c, struct {
		XMLName        xml.Name `xml:"GetAccountPasswordPolicyResult"`
		PasswordPolicy iamXMLPasswordPolicy
	}{PasswordPolicy: x})
	return nil
}

// iamIntParam reads an optional whole-number parameter in [lo, hi]; its
// camelCase name goes into the trail and IAM's error wording.
func iamIntParam(p url.Values, param string, lo, hi int, trail map[string]any) (int, bool, *APIError) {
	v := p.Get(param)
	if v == "" {
		return 0, false, nil
	}
	key := string(param[0]+'a'-'A') + param[1:]
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, errorf("MalformedInput", "Invalid value '%s' for %s", v, key)
	}
	trail[key] = n
	switch {
	case n < lo:
		return 0, false, iamValidation("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, key, lo)
	case n > hi:
		return 0, false, iamValidation("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, key, hi)
	}
	return n, true, nil
}

// iamBoolParam reads an optional boolean parameter; absent is false.
func iamBoolParam(p url.Values, param string, trail map[string]any) (bool, bool, *APIError) {
	v := p.Get(param)
	if v == "" {
		return false, false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, false, errorf("MalformedInput", "Invalid value '%s' for %s", v, param)
	}
	trail[string(param[0]+'a'-'A')+param[1:]] = b
	return b, true, nil
}

func (s *iamService) updatePasswordPolicy(c *call, p url.Values) *APIError {
	trail := map[string]any{}
	// The trail holds what the caller sent, recorded before any check, so
	// a refused call is logged with its parameters as CloudTrail does.
	c.Record(trail)
	np := IAMPasswordPolicy{MinimumPasswordLength: iamDefaultMinLength}
	for _, f := range []struct {
		param  string
		lo, hi int
		dst    *int
	}{
		{"MinimumPasswordLength", 6, 128, &np.MinimumPasswordLength},
		{"MaxPasswordAge", 1, 1095, &np.MaxPasswordAge},
		{"PasswordReusePrevention", 1, 24, &np.PasswordReusePrevention},
	} {
		n, set, err := iamIntParam(p, f.param, f.lo, f.hi, trail)
		if err != nil {
			return err
		}
		if set {
			*f.dst = n
		}
	}
	for _, f := range []struct {
		param string
		dst   *bool
	}{
		{"RequireUppercaseCharacters", &np.RequireUppercaseCharacters},
		{"RequireLowercaseCharacters", &np.RequireLowercaseCharacters},
		{"RequireSymbols", &np.RequireSymbols},
		{"RequireNumbers", &np.RequireNumbers},
		{"AllowUsersToChangePassword", &np.AllowUsersToChangePassword},
	} {
		b, _, err := iamBoolParam(p, f.param, trail)
		if err != nil {
			return err
		}
		*f.dst = b
	}
	hard, set, err := iamBoolParam(p, "HardExpiry", trail)
	if err != nil {
		return err
	}
	if set {
		np.HardExpiry = &hard
	}
	s.mu.Lock()
	s.passwords[c.account()] = &np
	s.mu.Unlock()
	s.respond(c, nil)
	return nil
}

func (s *iamService) deletePasswordPolicy(c *call, _ url.Values) *APIError {
	c.Record(nil)
	s.mu.Lock()
	_, ok := s.passwords[c.account()]
	delete(s.passwords, c.account())
	s.mu.Unlock()
	if !ok {
		return iamNoPasswordPolicy(c.account())
	}
	s.respond(c, nil)
	return nil
}

// String is the policy as a person reads it, for test failures.
func (p *IAMPasswordPolicy) String() string {
	if p == nil {
		return "none"
	}
	hard := "unset"
	if p.HardExpiry != nil {
		hard = strconv.FormatBool(*p.HardExpiry)
	}
	return fmt.Sprintf("length>=%d upper=%t lower=%t symbols=%t numbers=%t change=%t maxAge=%d reuse=%d hardExpiry=%s",
		p.MinimumPasswordLength, p.RequireUppercaseCharacters, p.RequireLowercaseCharacters, p.RequireSymbols, p.RequireNumbers,
		p.AllowUsersToChangePassword, p.MaxPasswordAge, p.PasswordReusePrevention, hard)
}
