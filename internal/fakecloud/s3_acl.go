package fakecloud

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
)

// The predefined groups an ACL can grant to.
const (
	groupAllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	groupAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	groupLogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// canonicalUserID is the account's S3 canonical user ID: 64 hex digits,
// stable per account, as ACLs and ListBuckets show the owner.
func canonicalUserID(account string) string {
	sum := sha256.Sum256([]byte("fakecloud-canonical-user:" + account))
	return hex.EncodeToString(sum[:])
}

type s3Owner struct {
	ID string `xml:"ID"`
}

// aclGrant is one grant of an access control list, in both the request and
// the response document.
type aclGrant struct {
	Grantee    aclGrantee `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

// aclGrantee reads xsi:type by namespace URL (how encoding/xml resolves the
// prefix) and writes it with the xsi prefix the SDK expects, so it has
// separate fields for each direction.
type aclGrantee struct {
	XMLNSXSI     string `xml:"xmlns:xsi,attr,omitempty"`
	WriteType    string `xml:"xsi:type,attr,omitempty"`
	Type         string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr,omitempty"`
	ID           string `xml:"ID,omitempty"`
	URI          string `xml:"URI,omitempty"`
	EmailAddress string `xml:"EmailAddress,omitempty"`
}

type accessControlPolicy struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	Owner   *s3Owner   `xml:"Owner"`
	Grants  []aclGrant `xml:"AccessControlList>Grant"`
}

// accessControlPolicyOut is GetBucketAcl's document.
type accessControlPolicyOut struct {
	XMLName xml.Name   `xml:"http://s3.amazonaws.com/doc/2006-03-01/ AccessControlPolicy"`
	Owner   s3Owner    `xml:"Owner"`
	Grants  []aclGrant `xml:"AccessControlList>Grant"`
}

func ownerGrant(account string) aclGrant {
	return aclGrant{Grantee: aclGrantee{Type: "CanonicalUser", ID: canonicalUserID(account)}, Permission: "FULL_CONTROL"}
}

func groupGrant(uri, permission string) aclGrant {
	return aclGrant{Grantee: aclGrantee{Type: "Group", URI: uri}, Permission: permission}
}

// cannedGrants expands a canned ACL; nil means S3 does not know the name.
func cannedGrants(canned, account string) []aclGrant {
	g := []aclGrant{ownerGrant(account)}
	switch canned {
	case "private":
	case "public-read":
		g = append(g, groupGrant(groupAllUsers, "READ"))
	case "public-read-write":
		g = append(g, groupGrant(groupAllUsers, "READ"), groupGrant(groupAllUsers, "WRITE"))
	case "authenticated-read":
		g = append(g, groupGrant(groupAuthenticatedUsers, "READ"))
	case "log-delivery-write":
		g = append(g, groupGrant(groupLogDelivery, "WRITE"), groupGrant(groupLogDelivery, "READ_ACP"))
	default:
		return nil
	}
	return g
}

// aclGrantHeaders are the explicit-grant headers, in S3's documented order.
var aclGrantHeaders = []string{
	"x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-write",
	"x-amz-grant-read-acp", "x-amz-grant-write-acp",
}

// aclPermissions maps the x-amz-grant-* headers to their permissions.
var aclPermissions = map[string]string{
	"x-amz-grant-full-control": "FULL_CONTROL",
	"x-amz-grant-read":         "READ",
	"x-amz-grant-write":        "WRITE",
	"x-amz-grant-read-acp":     "READ_ACP",
	"x-amz-grant-write-acp":    "WRITE_ACP",
}

// headerGrants reads an ACL from the x-amz-acl or x-amz-grant-* headers;
// nil with no error means neither was sent.
func (s *s3Service) headerGrants(r *http.Request, account string) ([]aclGrant, *APIError) {
	canned := r.Header.Get("x-amz-acl")
	var explicit []aclGrant
	for _, h := range aclGrantHeaders {
		v := r.Header.Get(h)
		if v == "" {
			continue
		}
		for _, item := range strings.Split(v, ",") {
			kind, val, ok := strings.Cut(strings.TrimSpace(item), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !ok || val == "" {
				return nil, s3Error(http.StatusBadRequest, "InvalidArgument", "Invalid grant header %s: %q", h, item)
			}
			g := aclGrant{Permission: aclPermissions[h]}
			switch strings.TrimSpace(kind) {
			case "id":
				g.Grantee = aclGrantee{Type: "CanonicalUser", ID: val}
			case "uri":
				g.Grantee = aclGrantee{Type: "Group", URI: val}
			case "emailAddress":
				return nil, unresolvableEmail()
			default:
				return nil, s3Error(http.StatusBadRequest, "InvalidArgument", "Invalid grant header %s: %q", h, item)
			}
			explicit = append(explicit, g)
		}
	}
	switch {
	case canned != "" && explicit != nil:
		return nil, s3Error(http.StatusBadRequest, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")
	case canned != "":
		g := cannedGrants(canned, account)
		if g == nil {
			return nil, s3Error(http.StatusBadRequest, "InvalidArgument", "Invalid canned ACL %q", canned)
		}
		return g, nil
	}
	if err := validGrants(explicit); err != nil {
		return nil, err
	}
	return explicit, nil
}

func unresolvableEmail() *APIError {
	return s3Error(http.StatusBadRequest, "UnresolvableGrantByEmailAddress",
		"The email address you provided does not match any account on record.")
}

func validGrants(grants []aclGrant) *APIError {
	for _, g := range grants {
		switch g.Permission {
		case "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP":
		default:
			return s3Error(http.StatusBadRequest, "MalformedACLError",
				"The XML you provided was not well-formed or did not validate against our published schema")
		}
		switch {
		case g.Grantee.Type == "CanonicalUser" && g.Grantee.ID != "":
		case g.Grantee.Type == "Group" && g.Grantee.URI != "":
			if g.Grantee.URI != groupAllUsers && g.Grantee.URI != groupAuthenticatedUsers && g.Grantee.URI != groupLogDelivery {
				return s3Error(http.StatusBadRequest, "InvalidArgument", "Invalid group uri")
			}
		case g.Grantee.Type == "AmazonCustomerByEmail":
			return unresolvableEmail()
		default:
			return s3Error(http.StatusBadRequest, "MalformedACLError",
				"The XML you provided was not well-formed or did not validate against our published schema")
		}
	}
	return nil
}

// publicGrant reports whether an ACL grants to everyone or to every AWS
// account, which is what BlockPublicAcls rejects.
func publicGrant(grants []aclGrant) bool {
	for _, g := range grants {
		if g.Grantee.URI == groupAllUsers || g.Grantee.URI == groupAuthenticatedUsers {
			return true
		}
	}
	return false
}

// putBucketACL takes the ACL from the headers or from an
// AccessControlPolicy body, never both. Unlike S3 since April 2023, new
// buckets here do not disable ACLs (Object Ownership is not emulated), so
// a public ACL is only refused when BlockPublicAcls is on.
func (s *s3Service) putBucketACL(c *call, t s3Target) *APIError {
	hasBody := len(bytes.TrimSpace(c.body)) > 0
	var policy accessControlPolicy
	if hasBody {
		body, err := parseS3XML(c.body, &policy)
		if err != nil {
			return err
		}
		s.record(c, t, body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		return err
	}
	grants, err := s.headerGrants(c.r, b.owner)
	if err != nil {
		return err
	}
	switch {
	case grants != nil && hasBody:
		return s3Error(http.StatusBadRequest, "UnexpectedContent", "This request does not support content")
	case grants == nil && !hasBody:
		return s3Error(http.StatusBadRequest, "MissingSecurityHeader", "Your request was missing a required header")
	case hasBody:
		if err := validGrants(policy.Grants); err != nil {
			return err
		}
		grants = policy.Grants
	}
	if b.pab != nil && b.pab.BlockPublicAcls && publicGrant(grants) {
		return s3AccessDenied()
	}
	b.grants = grants
	c.RecordResponse(nil)
	c.writeEmpty(http.StatusOK)
	return nil
}

func (s *s3Service) getBucketACL(c *call, t s3Target) *APIError {
	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	var out accessControlPolicyOut
	if err == nil {
		out.Owner = s3Owner{ID: canonicalUserID(b.owner)}
		for _, g := range b.grants {
			g.Grantee.XMLNSXSI, g.Grantee.WriteType, g.Grantee.Type = xsiNS, g.Grantee.Type, ""
			out.Grants = append(out.Grants, g)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.writeXML(http.StatusOK, out)
	return nil
}
