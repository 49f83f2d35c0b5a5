package fakecloud

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// STS speaks the Query protocol: form-encoded Action and Version in, an
// XML <ActionResponse> with <ActionResult> and <ResponseMetadata> out.
const (
	stsVersion   = "2011-06-15"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// AssumeRole's DurationSeconds limits. A chained session (a role session
// assuming a role) is capped at one hour, as in AWS.
const (
	stsMinDuration     = 900
	stsMaxDuration     = 43200
	stsDefaultDuration = 3600
	stsChainedDuration = 3600
)

var (
	stsSessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	// RE2 caps repeat counts at 1000, so the length is checked apart.
	stsExternalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// stsService hands out role sessions (the identities live in identity.go)
// and tells callers who they are.
type stsService struct{ cloud *Cloud }

func newSTSService(c *Cloud) *stsService { return &stsService{cloud: c} }

func (s *stsService) eventSource() string { return "sts.amazonaws.com" }

// stsHandlers are the STS operations the fake serves.
var stsHandlers = map[string]func(*stsService, *call, url.Values) *APIError{
	"GetCallerIdentity": func(s *stsService, c *call, _ url.Values) *APIError { return s.getCallerIdentity(c) },
	"AssumeRole":        (*stsService).assumeRole,
}

func (s *stsService) actions() []string { return slices.Sorted(maps.Keys(stsHandlers)) }

// stsParams reads the Query parameters from the form body, or the URL for
// a GET, which STS accepts too.
func stsParams(r *http.Request, body []byte) (url.Values, *APIError) {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errorf("MalformedQueryString", "cannot parse the form body: %v", err)
	}
	for k, v := range r.URL.Query() {
		if _, ok := params[k]; !ok {
			params[k] = v
		}
	}
	return params, nil
}

func (s *stsService) route(r *http.Request, body []byte) (string, *APIError) {
	params, err := stsParams(r, body)
	if err != nil {
		return "", err
	}
	action, version := params.Get("Action"), params.Get("Version")
	switch {
	case action == "":
		return "", errorf("MissingAction", "The request must contain the parameter Action.")
	case version != stsVersion:
		return action, errorf("InvalidAction", "Could not find operation %s for version %s", action, version)
	case stsHandlers[action] == nil:
		return action, errorf("InvalidAction", "fakecloud does not emulate STS %s (only GetCallerIdentity and AssumeRole)", action)
	}
	return action, nil
}

func (s *stsService) handle(c *call) *APIError {
	params, err := stsParams(c.r, c.body)
	if err != nil {
		return err
	}
	return stsHandlers[c.action](s, c, params)
}

type stsResponseMetadata struct {
	RequestID string `xml:"RequestId"`
}

func (s *stsService) getCallerIdentity(c *call) *APIError {
	type result struct {
		Arn     string
		UserId  string
		Account string
	}
	c.writeXML(http.StatusOK, struct {
		XMLName  xml.Name            `xml:"GetCallerIdentityResponse"`
		Xmlns    string              `xml:"xmlns,attr"`
		Result   result              `xml:"GetCallerIdentityResult"`
		Metadata stsResponseMetadata `xml:"ResponseMetadata"`
	}{
		Xmlns:    stsNamespace,
		Result:   result{Arn: c.principal.ARN, UserId: c.principal.PrincipalID, Account: c.principal.Account},
		Metadata: stsResponseMetadata{RequestID: c.requestID},
	})
	return nil
}

// stsValidation is the error STS returns for a parameter outside its
// constraints, worded like AWS's.
func stsValidation(format string, args ...any) *APIError {
	return errorf("ValidationError", "1 validation error detected: "+format, args...)
}

func (s *stsService) assumeRole(c *call, p url.Values) *APIError {
	roleARN, sessionName, externalID := p.Get("RoleArn"), p.Get("RoleSessionName"), p.Get("ExternalId")
	// CloudTrail logs the request as given, failed calls included.
	params := map[string]any{"roleArn": roleARN, "roleSessionName": sessionName}
	if externalID != "" {
		params["externalId"] = externalID
	}
	duration := stsDefaultDuration
	if v := p.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.Record(params)
			return stsValidation("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", v)
		}
		duration = n
		params["durationSeconds"] = n
	}
	c.Record(params)

	switch {
	case roleARN == "":
		return stsValidation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case len(roleARN) < 20:
		return stsValidation("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", roleARN)
	case sessionName == "":
		return stsValidation("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	case !stsSessionNamePattern.MatchString(sessionName):
		return stsValidation("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}", sessionName)
	case externalID != "" && (len(externalID) < 2 || len(externalID) > 1224 || !stsExternalIDPattern.MatchString(externalID)):
		return stsValidation("Value '%s' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]{2,1224}", externalID)
	case duration < stsMinDuration:
		return stsValidation("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", duration, stsMinDuration)
	case duration > stsMaxDuration:
		return stsValidation("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", duration, stsMaxDuration)
	case c.principal.Type == PrincipalAssumedRole && duration > stsChainedDuration:
		return errorf("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	sess, err := s.cloud.ids.assume(c.principal, roleARN, sessionName, externalID, time.Duration(duration)*time.Second)
	if err != nil {
		return err
	}
	expiration := sess.Expiration.UTC()
	// Never the secret key: CloudTrail does not log it either. The
	// expiration is in CloudTrail's own (Java) date format.
	c.RecordResponse(map[string]any{
		"credentials": map[string]any{
			"accessKeyId":  sess.AccessKeyID,
			"sessionToken": sess.SessionToken,
			"expiration":   expiration.Format("Jan 2, 2006, 3:04:05 PM"),
		},
		"assumedRoleUser": map[string]any{
			"assumedRoleId": sess.PrincipalID,
			"arn":           sess.ARN,
		},
	})

	type credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	type assumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
	type result struct {
		Credentials     credentials
		AssumedRoleUser assumedRoleUser
	}
	c.writeXML(http.StatusOK, struct {
		XMLName  xml.Name            `xml:"AssumeRoleResponse"`
		Xmlns    string              `xml:"xmlns,attr"`
		Result   result              `xml:"AssumeRoleResult"`
		Metadata stsResponseMetadata `xml:"ResponseMetadata"`
	}{
		Xmlns: stsNamespace,
		Result: result{
			Credentials: credentials{
				AccessKeyId:     sess.AccessKeyID,
				SecretAccessKey: sess.SecretAccessKey,
				SessionToken:    sess.SessionToken,
				Expiration:      expiration.Format(time.RFC3339),
			},
			AssumedRoleUser: assumedRoleUser{AssumedRoleId: sess.PrincipalID, Arn: sess.ARN},
		},
		Metadata: stsResponseMetadata{RequestID: c.requestID},
	})
	return nil
}

func (s *stsService) writeError(c *call, err *APIError) { writeQueryError(c, stsNamespace, err) }

func (s *stsService) authError(key string) *APIError { return queryAuthError(s.cloud, key) }

func (s *stsService) deniedError(c *call) *APIError {
	resource := "*"
	if p, err := stsParams(c.r, c.body); err == nil && p.Get("RoleArn") != "" {
		resource = p.Get("RoleArn")
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: sts:%s on resource: %s", c.principal.ARN, c.action, resource)}
}

// sessionExpired reports whether key belongs to a role session that has
// expired, so services answer ExpiredToken rather than an unknown key,
// which tells a credential cache to refresh rather than give up.
func sessionExpired(c *Cloud, key string) bool {
	c.ids.mu.Lock()
	defer c.ids.mu.Unlock()
	p, ok := c.ids.keys[key]
	return ok && !p.Expiration.IsZero() && c.now().After(p.Expiration)
}
