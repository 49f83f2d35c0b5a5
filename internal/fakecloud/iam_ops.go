package fakecloud

import (
	"encoding/xml"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// XML shapes of the IAM API (the member lists are <member> elements).

type iamXMLTag struct {
	Key   string
	Value string
}

// iamXMLEntity is a User, Role or Group element: the name and id elements
// are named for the kind, so each kind's fields are set apart.
type iamXMLEntity struct {
	Path                     string
	UserName                 string `xml:",omitempty"`
	UserId                   string `xml:",omitempty"`
	RoleName                 string `xml:",omitempty"`
	RoleId                   string `xml:",omitempty"`
	GroupName                string `xml:",omitempty"`
	GroupId                  string `xml:",omitempty"`
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string      `xml:",omitempty"`
	Description              string      `xml:",omitempty"`
	MaxSessionDuration       int         `xml:",omitempty"`
	PasswordLastUsed         string      `xml:",omitempty"`
	Tags                     []iamXMLTag `xml:"Tags>member,omitempty"`
}

func (e *iamEntity) xml(withTags bool) iamXMLEntity {
	x := iamXMLEntity{Path: e.path, Arn: e.arn(), CreateDate: e.created.Format(time.RFC3339)}
	switch e.kind {
	case iamUserKind:
		x.UserName, x.UserId = e.name, e.id
		if !e.passwordLastUsed.IsZero() {
			x.PasswordLastUsed = e.passwordLastUsed.Format(time.RFC3339)
		}
	case iamRoleKind:
		x.RoleName, x.RoleId = e.name, e.id
		x.AssumeRolePolicyDocument = iamEncode(e.trust)
		x.Description = e.description
		x.MaxSessionDuration = 3600
	case iamGroupKind:
		x.GroupName, x.GroupId = e.name, e.id
	}
	if withTags {
		for _, t := range e.tags {
			x.Tags = append(x.Tags, iamXMLTag(t))
		}
	}
	return x
}

// trail is the entity in a Create call's responseElements.
func (e *iamEntity) trail() map[string]any {
	m := map[string]any{
		"path": e.path, e.kind.kind + "Name": e.name, e.kind.kind + "Id": e.id,
		"arn": e.arn(), "createDate": e.created.Format(iamTrailTime),
	}
	if e.kind == iamRoleKind {
		m["assumeRolePolicyDocument"] = iamEncode(e.trust)
	}
	if len(e.tags) > 0 {
		m["tags"] = iamTagsTrail(e.tags)
	}
	return m
}

// entityResult is the result of Create and Get: one element named for the
// kind (<User>, <Role>, <Group>).
func entityResult(action string, e *iamEntity, withTags bool) any {
	x := e.xml(withTags)
	name := xml.Name{Local: action + "Result"}
	switch e.kind {
	case iamUserKind:
		return struct {
			XMLName xml.Name
			User    iamXMLEntity
		}{name, x}
	case iamRoleKind:
		return struct {
			XMLName xml.Name
			Role    iamXMLEntity
		}{name, x}
	}
	// GetGroup lists the members too; the fake has no group membership.
	return struct {
		XMLName     xml.Name
		Group       iamXMLEntity
		Users       struct{} `xml:"Users"`
		IsTruncated bool
	}{XMLName: name, Group: x}
}

func (s *iamService) create(c *call, k iamKind, p url.Values) *APIError {
	name, entPath := p.Get(k.param()), p.Get("Path")
	trail := map[string]any{k.trailParam(): name}
	if entPath != "" {
		trail["path"] = entPath
	}
	trust := p.Get("AssumeRolePolicyDocument")
	if k == iamRoleKind {
		trail["assumeRolePolicyDocument"] = trust
		if d := p.Get("Description"); d != "" {
			trail["description"] = d
		}
	}
	tags, terr := iamTags(p)
	if len(tags) > 0 {
		trail["tags"] = iamTagsTrail(tags)
	}
	c.Record(trail)
	if terr != nil {
		return terr
	}
	if _, err := iamName(p, k.param(), k.maxName); err != nil {
		return err
	}
	if entPath == "" {
		entPath = "/"
	}
	if len(entPath) > 512 || !iamPathPattern.MatchString(entPath) {
		return iamValidation("Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", entPath)
	}
	if len(tags) > 0 && !k.tags {
		return errorf("InvalidInput", "Tags are not supported for %ss.", k.kind)
	}
	if k == iamRoleKind {
		if trust == "" {
			return iamValidation("Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null")
		}
		if err := validPolicyDocument(trust); err != nil {
			return err
		}
	}
	s.mu.Lock()
	key := iamKey(c.account(), k, name)
	if _, ok := s.entities[key]; ok {
		s.mu.Unlock()
		return iamConflict("EntityAlreadyExists", "%s with name %s already exists.", k.title, name)
	}
	e := &iamEntity{
		kind: k, account: c.account(), name: name, path: entPath,
		id: k.idPrefix + strings.ToUpper(newID("", 17)), created: c.time,
		trust: trust, description: p.Get("Description"), inline: map[string]string{}, tags: tags,
	}
	s.entities[key] = e
	resp := map[string]any{k.kind: e.trail()}
	result := entityResult(c.action, e, true)
	s.mu.Unlock()
	c.RecordResponse(resp)
	s.respond(c, result)
	return nil
}

func (s *iamService) get(c *call, k iamKind, p url.Values) *APIError {
	e, err := s.principalParam(c, k, p, nil)
	if err != nil {
		return err
	}
	result := entityResult(c.action, e, true)
	s.mu.Unlock()
	s.respond(c, result)
	return nil
}

// delete refuses while policies are attached or inline, as IAM does: they
// must go first.
func (s *iamService) delete(c *call, k iamKind, p url.Values) *APIError {
	e, err := s.principalParam(c, k, p, map[string]any{})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if len(e.attached) > 0 || len(e.inline) > 0 {
		return iamConflict("DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	if e.login != nil {
		return iamConflict("DeleteConflict", "Cannot delete entity, must delete login profile first.")
	}
	delete(s.entities, iamKey(e.account, k, e.name))
	s.respond(c, nil)
	return nil
}

func (s *iamService) list(c *call, k iamKind, p url.Values) *APIError {
	prefix := p.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	s.mu.Lock()
	var all []*iamEntity
	for _, e := range s.entities {
		if e.kind == k && e.account == c.account() && strings.HasPrefix(e.path, prefix) {
			all = append(all, e)
		}
	}
	slices.SortFunc(all, func(a, b *iamEntity) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) })
	from, to, marker, err := iamPage(p, len(all))
	if err != nil {
		s.mu.Unlock()
		return err
	}
	// List calls return no tags: those come from List*Tags.
	items := make([]iamXMLEntity, 0, to-from)
	for _, e := range all[from:to] {
		items = append(items, e.xml(false))
	}
	s.mu.Unlock()
	// The list element is <Users>, <Roles> or <Groups>.
	s.respond(c, struct {
		XMLName xml.Name
		List    struct {
			XMLName xml.Name
			Items   []iamXMLEntity `xml:"member"`
		}
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{
		XMLName: xml.Name{Local: c.action + "Result"},
		List: struct {
			XMLName xml.Name
			Items   []iamXMLEntity `xml:"member"`
		}{xml.Name{Local: k.title + "s"}, items},
		IsTruncated: marker != "", Marker: marker,
	})
	return nil
}

func (s *iamService) attach(c *call, k iamKind, p url.Values, attach bool) *APIError {
	arn := p.Get("PolicyArn")
	e, err := s.principalParam(c, k, p, map[string]any{"policyArn": arn})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	switch {
	case arn == "":
		return iamValidation("Value null at 'policyArn' failed to satisfy constraint: Member must not be null")
	case !iamPolicyARN.MatchString(arn):
		return errorf("InvalidInput", "ARN %s is not valid.", arn)
	}
	i := slices.Index(e.attached, arn)
	switch {
	case attach && i >= 0:
		// Attaching again is a no-op success in IAM.
	case attach && !iamManagedPolicy.MatchString(arn):
		return iamNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
	case attach && len(e.attached) >= iamMaxAttached:
		return iamConflict("LimitExceeded", "Cannot exceed quota for PoliciesPer%s: %d", k.title, iamMaxAttached)
	case attach:
		e.attached = append(e.attached, arn)
	case i < 0:
		return iamNoSuchEntity("Policy %s was not found.", arn)
	default:
		e.attached = slices.Delete(e.attached, i, i+1)
	}
	s.respond(c, nil)
	return nil
}

func (s *iamService) listAttached(c *call, k iamKind, p url.Values) *APIError {
	e, err := s.principalParam(c, k, p, nil)
	if err != nil {
		return err
	}
	type attachedPolicy struct {
		PolicyName string
		PolicyArn  string
	}
	prefix := p.Get("PathPrefix")
	var all []attachedPolicy
	for _, arn := range e.attached {
		m := iamManagedPolicy.FindStringSubmatch(arn)
		if m == nil {
			continue
		}
		dir, name := path.Split("/" + m[1])
		if prefix == "" || strings.HasPrefix(dir, prefix) {
			all = append(all, attachedPolicy{PolicyName: name, PolicyArn: arn})
		}
	}
	s.mu.Unlock()
	from, to, marker, err := iamPage(p, len(all))
	if err != nil {
		return err
	}
	s.respond(c, struct {
		XMLName     xml.Name
		Policies    []attachedPolicy `xml:"AttachedPolicies>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{xml.Name{Local: c.action + "Result"}, all[from:to], marker != "", marker})
	return nil
}

func (s *iamService) putInline(c *call, k iamKind, p url.Values) *APIError {
	policyName, doc := p.Get("PolicyName"), p.Get("PolicyDocument")
	e, err := s.principalParam(c, k, p, map[string]any{"policyName": policyName, "policyDocument": doc})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, err := iamName(p, "PolicyName", 128); err != nil {
		return err
	}
	if doc == "" {
		return iamValidation("Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	if err := validPolicyDocument(doc); err != nil {
		return err
	}
	e.inline[policyName] = doc
	s.respond(c, nil)
	return nil
}

// inlineNotFound: inline policy names are case-sensitive, unlike
// principal names.
func inlineNotFound(k iamKind, name string) *APIError {
	return iamNoSuchEntity("The %s policy with name %s cannot be found.", k.kind, name)
}

func (s *iamService) getInline(c *call, k iamKind, p url.Values) *APIError {
	e, err := s.principalParam(c, k, p, nil)
	if err != nil {
		return err
	}
	name := p.Get("PolicyName")
	doc, ok := e.inline[name]
	entity := e.name
	s.mu.Unlock()
	if _, err := iamName(p, "PolicyName", 128); err != nil {
		return err
	}
	if !ok {
		return inlineNotFound(k, name)
	}
	// The principal's name element is <UserName>, <RoleName> or <GroupName>.
	s.respond(c, struct {
		XMLName        xml.Name
		Principal      iamNamed
		PolicyName     string
		PolicyDocument string
	}{xml.Name{Local: c.action + "Result"}, iamNamed{xml.Name{Local: k.param()}, entity}, name, iamEncode(doc)})
	return nil
}

// iamNamed is an element with a name chosen at run time.
type iamNamed struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (s *iamService) deleteInline(c *call, k iamKind, p url.Values) *APIError {
	name := p.Get("PolicyName")
	e, err := s.principalParam(c, k, p, map[string]any{"policyName": name})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, err := iamName(p, "PolicyName", 128); err != nil {
		return err
	}
	if _, ok := e.inline[name]; !ok {
		return inlineNotFound(k, name)
	}
	delete(e.inline, name)
	s.respond(c, nil)
	return nil
}

func (s *iamService) listInline(c *call, k iamKind, p url.Values) *APIError {
	e, err := s.principalParam(c, k, p, nil)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(e.inline))
	for n := range e.inline {
		names = append(names, n)
	}
	s.mu.Unlock()
	slices.Sort(names)
	from, to, marker, err := iamPage(p, len(names))
	if err != nil {
		return err
	}
	s.respond(c, struct {
		XMLName     xml.Name
		Names       []string `xml:"PolicyNames>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{xml.Name{Local: c.action + "Result"}, names[from:to], marker != "", marker})
	return nil
}

func (s *iamService) tag(c *call, k iamKind, p url.Values) *APIError {
	tags, terr := iamTags(p)
	e, err := s.principalParam(c, k, p, map[string]any{"tags": iamTagsTrail(tags)})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if terr != nil {
		return terr
	}
	if len(tags) == 0 {
		return iamValidation("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	merged := mergeTags(slices.Clone(e.tags), tags)
	if len(merged) > 50 {
		return iamConflict("LimitExceeded", "The number of tags has reached the maximum limit.")
	}
	e.tags = merged
	s.respond(c, nil)
	return nil
}

func (s *iamService) untag(c *call, k iamKind, p url.Values) *APIError {
	keys := ec2Params(p).strings("TagKeys.member")
	trailKeys := make([]any, 0, len(keys))
	for _, key := range keys {
		trailKeys = append(trailKeys, key)
	}
	e, err := s.principalParam(c, k, p, map[string]any{"tagKeys": trailKeys})
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	e.tags = slices.DeleteFunc(e.tags, func(t iamTag) bool { return slices.Contains(keys, t.Key) })
	s.respond(c, nil)
	return nil
}

func (s *iamService) listTags(c *call, k iamKind, p url.Values) *APIError {
	e, err := s.principalParam(c, k, p, nil)
	if err != nil {
		return err
	}
	tags := make([]iamXMLTag, 0, len(e.tags))
	for _, t := range e.tags {
		tags = append(tags, iamXMLTag(t))
	}
	s.mu.Unlock()
	from, to, marker, err := iamPage(p, len(tags))
	if err != nil {
		return err
	}
	s.respond(c, struct {
		XMLName     xml.Name
		Tags        []iamXMLTag `xml:"Tags>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{xml.Name{Local: c.action + "Result"}, tags[from:to], marker != "", marker})
	return nil
}
