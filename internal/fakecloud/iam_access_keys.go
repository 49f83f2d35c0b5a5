package fakecloud

import (
	"encoding/xml"
	"net/url"
	"slices"
	"strings"
	"time"
)

// IAM users' access keys are the identity store's keys (identity.go): the
// key a caller signs with is the one ListAccessKeys lists and
// UpdateAccessKey turns off, so an inactive key is refused at once.

func (s *iamService) registerAccessKeys() {
	s.ops["ListAccessKeys"] = s.listAccessKeys
	s.ops["UpdateAccessKey"] = s.updateAccessKey
}

// SeedAccessKey gives an IAM user one more access key, created at created
// (an old key is the point of IAM.3) and active or not, without
// CloudTrail.
func (c *Cloud) SeedAccessKey(account, user, keyID, secret string, created time.Time, active bool) {
	p := c.AddUser(account, user, keyID, secret)
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	p.Created, p.Inactive = created, !active
}

// AccessKeyActive reports whether an access key exists and is active, for
// tests.
func (c *Cloud) AccessKeyActive(keyID string) (active, ok bool) {
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	p, ok := c.ids.keys[keyID]
	if !ok || p.Type != PrincipalUser {
		return false, false
	}
	return !p.Inactive, true
}

// userKeys lists the access keys of an account's user, by key id; the
// caller holds ids.mu.
func (ids *identities) userKeys(account, user string) []*Principal {
	var out []*Principal
	for _, p := range ids.keys {
		if p.Type == PrincipalUser && p.Account == account && strings.EqualFold(p.UserName, user) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Principal) int { return strings.Compare(a.AccessKeyID, b.AccessKeyID) })
	return out
}

// keyUser is the user a key call names: UserName, else the caller, as IAM
// reads a call without one. The user must exist: as an IAM user or as the
// owner of keys.
func (s *iamService) keyUser(c *call, p url.Values) (string, *APIError) {
	user := p.Get("UserName")
	if user == "" {
		if c.principal.Type != PrincipalUser {
			return "", iamValidation("Value null at 'userName' failed to satisfy constraint: Member must not be null")
		}
		return c.principal.UserName, nil
	}
	if _, err := iamName(p, "UserName", 64); err != nil {
		return "", err
	}
	s.mu.Lock()
	_, entity := s.entities[iamKey(c.account(), iamUserKind, user)]
	s.mu.Unlock()
	ids := s.cloud.ids
	ids.mu.Lock()
	keys := ids.userKeys(c.account(), user)
	ids.mu.Unlock()
	if !entity && len(keys) == 0 {
		return "", iamNoSuchEntity("The user with name %s cannot be found.", user)
	}
	return user, nil
}

type iamXMLAccessKey struct {
	UserName    string
	AccessKeyId string
	Status      string
	CreateDate  string
}

func keyStatus(p *Principal) string {
	if p.Inactive {
		return "Inactive"
	}
	return "Active"
}

func (s *iamService) listAccessKeys(c *call, p url.Values) *APIError {
	user, err := s.keyUser(c, p)
	if err != nil {
		return err
	}
	ids := s.cloud.ids
	ids.mu.Lock()
	var items []iamXMLAccessKey
	for _, k := range ids.userKeys(c.account(), user) {
		items = append(items, iamXMLAccessKey{UserName: k.UserName, AccessKeyId: k.AccessKeyID, Status: keyStatus(k), CreateDate: k.Created.UTC().Format(time.RFC3339)})
	}
	ids.mu.Unlock()
	from, to, marker, perr := iamPage(p, len(items))
	if perr != nil {
		return perr
	}
	s.respond(c, struct {
		XMLName           xml.Name          `xml:"ListAccessKeysResult"`
		AccessKeyMetadata []iamXMLAccessKey `xml:"AccessKeyMetadata>member"`
		IsTruncated       bool
		Marker            string `xml:",omitempty"`
	}{AccessKeyMetadata: items[from:to], IsTruncated: marker != "", Marker: marker})
	return nil
}

func (s *iamService) updateAccessKey(c *call, p url.Values) *APIError {
	keyID, status := p.Get("AccessKeyId"), p.Get("Status")
	trail := map[string]any{"accessKeyId": keyID, "status": status}
	if u := p.Get("UserName"); u != "" {
		trail["userName"] = u
	}
	c.Record(trail)
	switch {
	case keyID == "":
		return iamValidation("Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null")
	case status != "Active" && status != "Inactive":
		return iamValidation("Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	user, err := s.keyUser(c, p)
	if err != nil {
		return err
	}
	ids := s.cloud.ids
	ids.mu.Lock()
	k, ok := ids.keys[keyID]
	if !ok || k.Type != PrincipalUser || k.Account != c.account() || !strings.EqualFold(k.UserName, user) {
		ids.mu.Unlock()
		return iamNoSuchEntity("The Access Key with id %s cannot be found.", keyID)
	}
	k.Inactive = status == "Inactive"
	ids.mu.Unlock()
	s.respond(c, nil)
	return nil
}
