package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// iamPolicy is an IAM policy document, decoded strictly: a misspelt key
// ("Actions") fails the test instead of granting nothing silently.
type iamPolicy struct {
	Version   string
	Statement iamStatements
}

type iamStatement struct {
	Sid          string
	Effect       string
	Principal    *iamPrincipal
	NotPrincipal *iamPrincipal
	Action       anyStrings
	NotAction    anyStrings
	Resource     anyStrings
	NotResource  anyStrings
	Condition    map[string]map[string]anyStrings
}

// iamPrincipal is "*" or {"AWS": ..., "Service": ..., "Federated": ...}.
type iamPrincipal struct {
	Any       bool
	AWS       anyStrings
	Service   anyStrings
	Federated anyStrings
}

func (p *iamPrincipal) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s != "*" {
			return fmt.Errorf("principal %q: want \"*\" or an object", s)
		}
		p.Any = true
		return nil
	}
	var m struct {
		AWS       anyStrings
		Service   anyStrings
		Federated anyStrings
	}
	if err := strictJSON(b, &m); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	p.AWS, p.Service, p.Federated = m.AWS, m.Service, m.Federated
	return nil
}

// iamStatements is one statement or a list of them.
type iamStatements []iamStatement

func (s *iamStatements) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var one iamStatement
		if err := strictJSON(b, &one); err != nil {
			return err
		}
		*s = iamStatements{one}
		return nil
	}
	var many []json.RawMessage
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	for _, raw := range many {
		var one iamStatement
		if err := strictJSON(raw, &one); err != nil {
			return err
		}
		*s = append(*s, one)
	}
	return nil
}

// anyStrings is a string or a list of strings, as IAM writes both.
type anyStrings []string

func (a *anyStrings) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*a = anyStrings{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("want a string or a list of strings: %s", b)
	}
	*a = l
	return nil
}

func strictJSON(b []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

// parsePolicy decodes a policy document and checks what every policy here
// must satisfy: version 2012-10-17, Allow or Deny, and no Not* elements,
// which grant by exclusion and cannot be proven minimal.
func parsePolicy(t *testing.T, where, doc string) iamPolicy {
	t.Helper()
	var p iamPolicy
	if err := strictJSON([]byte(doc), &p); err != nil {
		t.Fatalf("%s: policy does not decode: %v\n%s", where, err, doc)
	}
	if p.Version != "2012-10-17" {
		t.Errorf("%s: Version %q, want 2012-10-17", where, p.Version)
	}
	if len(p.Statement) == 0 {
		t.Errorf("%s: no statements", where)
	}
	sids := map[string]bool{}
	for i, s := range p.Statement {
		at := fmt.Sprintf("%s: statement %d (%s)", where, i, s.Sid)
		if s.Effect != "Allow" && s.Effect != "Deny" {
			t.Errorf("%s: Effect %q", at, s.Effect)
		}
		if len(s.NotAction) > 0 || len(s.NotResource) > 0 || s.NotPrincipal != nil {
			t.Errorf("%s: NotAction, NotResource and NotPrincipal grant by exclusion; list what is granted", at)
		}
		if len(s.Action) == 0 {
			t.Errorf("%s: no Action", at)
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				t.Errorf("%s: Sid %q used twice", at, s.Sid)
			}
			sids[s.Sid] = true
		}
	}
	return p
}

// allowed is every (action, resource) pair the Allow statements grant,
// with the statement that grants it.
type grant struct {
	action, resource string
	stmt             iamStatement
}

func (p iamPolicy) grants() []grant {
	var out []grant
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Action {
			for _, r := range s.Resource {
				out = append(out, grant{a, r, s})
			}
		}
	}
	return out
}

// actions is the sorted set of actions the Allow statements grant.
func actions(policies ...iamPolicy) []string {
	var out []string
	for _, p := range policies {
		for _, g := range p.grants() {
			if !slices.Contains(out, g.action) {
				out = append(out, g.action)
			}
		}
	}
	slices.Sort(out)
	return out
}

// diff returns what want has and got lacks, and what got has and want lacks.
func diff(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}
