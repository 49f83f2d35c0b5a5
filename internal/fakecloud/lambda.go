package fakecloud

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Lambda speaks REST-JSON: the operation is the method and path
// (/2015-03-31/functions/{FunctionName}/policy), JSON in and out, errors
// with their code in X-Amzn-ErrorType. CloudTrail writes its calls under
// versioned event names (AddPermission20150331v2).
const (
	lambdaFunctions = "/2015-03-31/functions"
	lambdaTags      = "/2017-03-31/tags/"
	// lambdaMaxPage is the most ListFunctions returns in one page.
	lambdaMaxPage = 50
)

// lambdaEventNames are the eventNames CloudTrail writes for Lambda's
// mutating calls.
var lambdaEventNames = map[string]string{
	"AddPermission":    "AddPermission20150331v2",
	"RemovePermission": "RemovePermission20150331v2",
	"TagResource":      "TagResource20170331v2",
	"UntagResource":    "UntagResource20170331v2",
}

var (
	lambdaNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	lambdaSidPattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)
	lambdaAccount     = regexp.MustCompile(`^[0-9]{12}$`)
	// lambdaPrincipal is what AddPermission accepts as a principal: "*",
	// an account, an ARN, or a service principal.
	lambdaPrincipal = regexp.MustCompile(`^(\*|[0-9]{12}|arn:aws[a-z-]*:iam::[0-9]{12}:[\w+=,.@/-]+|[a-z0-9.-]+\.amazonaws\.com(\.cn)?|[a-z0-9.-]+\.amazon\.com)$`)
)

// lambdaService emulates the slice of Lambda rectify reads and remediates:
// functions (configuration only: no code, no invocations, no versions or
// aliases), the unqualified function's resource-based policy, and tags.
// Functions are created by seeding; CreateFunction is not served.
type lambdaService struct {
	cloud *Cloud

	mu    sync.Mutex
	funcs map[ec2Key]map[string]*lambdaFunction // by account and region, then name
}

type lambdaFunction struct {
	account, region, name string
	runtime, role         string
	modified              time.Time
	statements            []map[string]any // the policy, in the order added
	revision              string
	tags                  map[string]string
}

func (f *lambdaFunction) arn() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", f.region, f.account, f.name)
}

// configuration is the FunctionConfiguration shape.
func (f *lambdaFunction) configuration() map[string]any {
	return map[string]any{
		"FunctionName": f.name, "FunctionArn": f.arn(), "Runtime": f.runtime, "Role": f.role,
		"Handler": "index.handler", "CodeSize": 284, "Timeout": 3, "MemorySize": 128,
		"LastModified": f.modified.UTC().Format("2006-01-02T15:04:05.000-0700"), "Version": "$LATEST",
		"CodeSha256": "2qn4c9HYiKdkH7yWlk9Tcp6HpMZCVTJQuN8P2XqXz0w=", "State": "Active", "PackageType": "Zip",
		"Architectures": []string{"x86_64"}, "RevisionId": f.revision,
	}
}

// policy is the policy text GetPolicy returns; "" when there is none.
func (f *lambdaFunction) policy() string {
	if len(f.statements) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": f.statements})
	return string(b)
}

func newLambdaService(c *Cloud) *lambdaService {
	return &lambdaService{cloud: c, funcs: map[ec2Key]map[string]*lambdaFunction{}}
}

func (s *lambdaService) eventSource() string { return "lambda.amazonaws.com" }

func (s *lambdaService) actions() []string { return slices.Sorted(maps.Keys(lambdaHandlers)) }

var lambdaHandlers = map[string]func(*lambdaService, *call) *APIError{
	"ListFunctions":    (*lambdaService).listFunctions,
	"GetFunction":      (*lambdaService).getFunction,
	"GetPolicy":        (*lambdaService).getPolicy,
	"AddPermission":    (*lambdaService).addPermission,
	"RemovePermission": (*lambdaService).removePermission,
	"ListTags":         (*lambdaService).listTags,
	"TagResource":      (*lambdaService).tagResource,
	"UntagResource":    (*lambdaService).untagResource,
}

// lambdaPath splits an escaped path into its unescaped segments.
func lambdaPath(r *http.Request) []string {
	var out []string
	for _, seg := range strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") {
		if v, err := url.PathUnescape(seg); err == nil {
			out = append(out, v)
		} else {
			out = append(out, seg)
		}
	}
	return out
}

func (s *lambdaService) route(r *http.Request, _ []byte) (string, *APIError) {
	p := lambdaPath(r)
	op := ""
	switch {
	case len(p) >= 2 && p[0] == "2015-03-31" && p[1] == "functions":
		switch {
		case len(p) == 2 && r.Method == http.MethodGet:
			op = "ListFunctions"
		case len(p) == 3 && r.Method == http.MethodGet:
			op = "GetFunction"
		case len(p) == 4 && p[3] == "policy" && r.Method == http.MethodGet:
			op = "GetPolicy"
		case len(p) == 4 && p[3] == "policy" && r.Method == http.MethodPost:
			op = "AddPermission"
		case len(p) == 5 && p[3] == "policy" && r.Method == http.MethodDelete:
			op = "RemovePermission"
		}
	case len(p) == 3 && p[0] == "2017-03-31" && p[1] == "tags":
		op = map[string]string{http.MethodGet: "ListTags", http.MethodPost: "TagResource", http.MethodDelete: "UntagResource"}[r.Method]
	}
	if op == "" {
		return "", &APIError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: fmt.Sprintf(
			"fakecloud does not emulate Lambda %s %s (only ListFunctions, GetFunction, GetPolicy, AddPermission, RemovePermission and tags)", r.Method, r.URL.Path)}
	}
	return op, nil
}

func (s *lambdaService) handle(c *call) *APIError { return lambdaHandlers[c.action](s, c) }

// writeError writes the REST-JSON error: the code in X-Amzn-ErrorType,
// which the SDK reads first, and the body Lambda writes.
func (s *lambdaService) writeError(c *call, err *APIError) {
	c.w.Header().Set("X-Amzn-ErrorType", err.Code)
	c.writeJSON(err.Status, "application/json", map[string]string{"Type": "User", "message": err.Message})
}

func (s *lambdaService) authError(key string) *APIError {
	e := jsonAuthError(s.cloud, key)
	e.Status = http.StatusForbidden
	return e
}

func (s *lambdaService) deniedError(c *call) *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "AccessDeniedException", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: lambda:%s because no identity-based policy allows the lambda:%s action", c.principal.ARN, c.action, c.action)}
}

func (s *lambdaService) reply(c *call, status int, v any) {
	c.writeJSON(status, "application/json", v)
}

func lambdaNotFound(format string, args ...any) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

func lambdaInvalid(format string, args ...any) *APIError {
	return errorf("InvalidParameterValueException", format, args...)
}

// record marks c as a mutating call under Lambda's eventName.
func (s *lambdaService) record(c *call, params map[string]any) {
	c.Record(params)
	c.record.EventName = lambdaEventNames[c.action]
}

// function resolves the FunctionName a call gives (a name, an ARN, or a
// partial ARN) in the caller's account and the call's region. Callers
// hold s.mu. Versions and aliases are not modeled.
func (s *lambdaService) function(c *call, given string) (*lambdaFunction, *APIError) {
	name := given
	if rest, ok := strings.CutPrefix(given, "arn:aws:lambda:"); ok {
		parts := strings.Split(rest, ":")
		if len(parts) < 4 || parts[0] != c.region || parts[1] != c.account() || parts[2] != "function" {
			return nil, lambdaInvalid("FunctionName %q is not a function of account %s in %s", given, c.account(), c.region)
		}
		name = strings.Join(parts[3:], ":")
	} else if parts := strings.Split(given, ":"); len(parts) >= 3 && lambdaAccount.MatchString(parts[0]) && parts[1] == "function" {
		if parts[0] != c.account() {
			return nil, lambdaInvalid("FunctionName %q is not a function of account %s", given, c.account())
		}
		name = strings.Join(parts[2:], ":")
	}
	if strings.Contains(name, ":") || c.r.URL.Query().Get("Qualifier") != "" {
		return nil, lambdaInvalid("fakecloud models only the unqualified function: %q names a version or alias", given)
	}
	if !lambdaNamePattern.MatchString(name) {
		return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint", given)
	}
	f, ok := s.funcs[ec2Key{c.account(), c.region}][name]
	if !ok {
		return nil, lambdaNotFound("Function not found: arn:aws:lambda:%s:%s:function:%s", c.region, c.account(), name)
	}
	return f, nil
}

func (s *lambdaService) create(account, region, name, runtime string, tags map[string]string) error {
	if !lambdaNamePattern.MatchString(name) {
		return fmt.Errorf("function name %q is not valid", name)
	}
	if runtime == "" {
		runtime = "python3.12"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ec2Key{account, region}
	if s.funcs[k] == nil {
		s.funcs[k] = map[string]*lambdaFunction{}
	}
	if _, ok := s.funcs[k][name]; ok {
		return fmt.Errorf("function %s already exists", name)
	}
	f := &lambdaFunction{account: account, region: region, name: name, runtime: runtime,
		role: "arn:aws:iam::" + account + ":role/" + name + "-role", modified: s.cloud.now(), revision: newUUID(), tags: maps.Clone(tags)}
	if f.tags == nil {
		f.tags = map[string]string{}
	}
	s.funcs[k][name] = f
	return nil
}

// listFunctions pages through the functions in name order; the marker is
// the last name of the page before.
func (s *lambdaService) listFunctions(c *call) *APIError {
	q := c.r.URL.Query()
	size := lambdaMaxPage
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return lambdaInvalid("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000", v)
		}
		size = min(n, lambdaMaxPage)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	funcs := s.funcs[ec2Key{c.account(), c.region}]
	names := slices.Sorted(maps.Keys(funcs))
	start := 0
	if m := q.Get("Marker"); m != "" {
		i, found := slices.BinarySearch(names, m)
		if found {
			i++
		}
		start = i
	}
	end := min(start+size, len(names))
	list := []map[string]any{}
	for _, n := range names[start:end] {
		list = append(list, funcs[n].configuration())
	}
	out := map[string]any{"Functions": list}
	if end < len(names) {
		out["NextMarker"] = names[end-1]
	}
	s.reply(c, http.StatusOK, out)
	return nil
}

func (s *lambdaService) getFunction(c *call) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.function(c, lambdaPath(c.r)[2])
	if err != nil {
		return err
	}
	out := map[string]any{
		"Configuration": f.configuration(),
		"Code":          map[string]string{"RepositoryType": "S3", "Location": "https://awslambda-" + f.region + "-tasks.s3." + f.region + ".amazonaws.com/snapshots/" + f.account + "/" + f.name},
	}
	if len(f.tags) > 0 {
		out["Tags"] = maps.Clone(f.tags)
	}
	s.reply(c, http.StatusOK, out)
	return nil
}

func (s *lambdaService) getPolicy(c *call) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.function(c, lambdaPath(c.r)[2])
	if err != nil {
		return err
	}
	text := f.policy()
	if text == "" {
		// Lambda says a missing policy as it says a missing function.
		return lambdaNotFound("The resource you requested does not exist.")
	}
	s.reply(c, http.StatusOK, map[string]any{"Policy": text, "RevisionId": f.revision})
	return nil
}

// lambdaStatement is the statement AddPermission writes.
func lambdaStatement(sid, action, principal, resource string, cond map[string]map[string]string) map[string]any {
	st := map[string]any{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
	switch {
	case principal == "*":
		st["Principal"] = "*"
	case lambdaAccount.MatchString(principal):
		st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + principal + ":root"}
	case strings.HasPrefix(principal, "arn:"):
		st["Principal"] = map[string]string{"AWS": principal}
	default:
		st["Principal"] = map[string]string{"Service": principal}
	}
	if len(cond) > 0 {
		st["Condition"] = cond
	}
	return st
}

func (s *lambdaService) addPermission(c *call) *APIError {
	var in struct {
		StatementID         string `json:"StatementId"`
		Action              string `json:"Action"`
		Principal           string `json:"Principal"`
		SourceArn           string `json:"SourceArn"`
		SourceAccount       string `json:"SourceAccount"`
		PrincipalOrgID      string `json:"PrincipalOrgID"`
		EventSourceToken    string `json:"EventSourceToken"`
		FunctionURLAuthType string `json:"FunctionUrlAuthType"`
		RevisionID          string `json:"RevisionId"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return lambdaInvalid("could not parse request body into json: %v", err)
		}
	}
	given := lambdaPath(c.r)[2]
	params := map[string]any{"functionName": given, "statementId": in.StatementID, "action": in.Action, "principal": in.Principal}
	for k, v := range map[string]string{"sourceArn": in.SourceArn, "sourceAccount": in.SourceAccount, "principalOrgID": in.PrincipalOrgID,
		"eventSourceToken": in.EventSourceToken, "functionUrlAuthType": in.FunctionURLAuthType, "revisionId": in.RevisionID} {
		if v != "" {
			params[k] = v
		}
	}
	s.record(c, params)
	switch {
	case !lambdaSidPattern.MatchString(in.StatementID):
		return lambdaInvalid("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint", in.StatementID)
	case !strings.HasPrefix(in.Action, "lambda:") && in.Action != "*":
		return lambdaInvalid("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint", in.Action)
	case !lambdaPrincipal.MatchString(in.Principal):
		return lambdaInvalid("The provided principal was invalid. Please check the principal and try again.")
	case in.FunctionURLAuthType != "" && in.FunctionURLAuthType != "NONE" && in.FunctionURLAuthType != "AWS_IAM":
		return lambdaInvalid("1 validation error detected: Value '%s' at 'functionUrlAuthType' failed to satisfy constraint", in.FunctionURLAuthType)
	}
	cond := map[string]map[string]string{}
	put := func(op, key, v string) {
		if v != "" {
			if cond[op] == nil {
				cond[op] = map[string]string{}
			}
			cond[op][key] = v
		}
	}
	put("StringEquals", "AWS:SourceAccount", in.SourceAccount)
	put("ArnLike", "AWS:SourceArn", in.SourceArn)
	put("StringEquals", "aws:PrincipalOrgID", in.PrincipalOrgID)
	put("StringEquals", "lambda:EventSourceToken", in.EventSourceToken)
	put("StringEquals", "lambda:FunctionUrlAuthType", in.FunctionURLAuthType)

	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.function(c, given)
	if err != nil {
		return err
	}
	if in.RevisionID != "" && in.RevisionID != f.revision {
		return &APIError{Status: http.StatusPreconditionFailed, Code: "PreconditionFailedException",
			Message: "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id"}
	}
	for _, st := range f.statements {
		if st["Sid"] == in.StatementID {
			return &APIError{Status: http.StatusConflict, Code: "ResourceConflictException", Message: fmt.Sprintf(
				"The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementID)}
		}
	}
	st := lambdaStatement(in.StatementID, in.Action, in.Principal, f.arn(), cond)
	f.statements = append(f.statements, st)
	f.revision = newUUID()
	text, _ := json.Marshal(st)
	c.RecordResponse(map[string]any{"statement": string(text)})
	c.RecordResources(f.arn())
	s.reply(c, http.StatusCreated, map[string]any{"Statement": string(text)})
	return nil
}

func (s *lambdaService) removePermission(c *call) *APIError {
	p := lambdaPath(c.r)
	given, sid := p[2], p[4]
	rev := c.r.URL.Query().Get("RevisionId")
	params := map[string]any{"functionName": given, "statementId": sid}
	if rev != "" {
		params["revisionId"] = rev
	}
	s.record(c, params)
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.function(c, given)
	if err != nil {
		return err
	}
	if rev != "" && rev != f.revision {
		return &APIError{Status: http.StatusPreconditionFailed, Code: "PreconditionFailedException",
			Message: "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id"}
	}
	i := slices.IndexFunc(f.statements, func(st map[string]any) bool { return st["Sid"] == sid })
	if i < 0 {
		return lambdaNotFound("Statement %s is not found in resource policy.", sid)
	}
	f.statements = slices.Delete(f.statements, i, i+1)
	f.revision = newUUID()
	c.RecordResources(f.arn())
	c.writeEmpty(http.StatusNoContent)
	return nil
}

// byARN finds the function a tag call names by its ARN. Callers hold s.mu.
func (s *lambdaService) byARN(c *call) (*lambdaFunction, *APIError) {
	arn := lambdaPath(c.r)[2]
	if !strings.HasPrefix(arn, "arn:aws:lambda:") {
		return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint", arn)
	}
	return s.function(c, arn)
}

func (s *lambdaService) listTags(c *call) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.byARN(c)
	if err != nil {
		return err
	}
	s.reply(c, http.StatusOK, map[string]any{"Tags": maps.Clone(f.tags)})
	return nil
}

func (s *lambdaService) tagResource(c *call) *APIError {
	var in struct {
		Tags map[string]string `json:"Tags"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &in); err != nil {
			return lambdaInvalid("could not parse request body into json: %v", err)
		}
	}
	s.record(c, map[string]any{"resource": lambdaPath(c.r)[2], "tags": in.Tags})
	for k, v := range in.Tags {
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return lambdaInvalid("The tag key %q or its value is invalid", k)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.byARN(c)
	if err != nil {
		return err
	}
	merged := maps.Clone(f.tags)
	maps.Copy(merged, in.Tags)
	if len(merged) > 50 {
		return lambdaInvalid("A function can have at most 50 tags")
	}
	f.tags = merged
	c.RecordResources(f.arn())
	c.writeEmpty(http.StatusNoContent)
	return nil
}

func (s *lambdaService) untagResource(c *call) *APIError {
	keys := c.r.URL.Query()["tagKeys"]
	s.record(c, map[string]any{"resource": lambdaPath(c.r)[2], "tagKeys": keys})
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.byARN(c)
	if err != nil {
		return err
	}
	for _, k := range keys {
		delete(f.tags, k)
	}
	c.RecordResources(f.arn())
	c.writeEmpty(http.StatusNoContent)
	return nil
}

// FunctionSeed is a Lambda function. Public lists the statement ids of
// its policy that let anyone invoke it (AddPermission with principal "*"
// and no condition); without them it has no policy.
type FunctionSeed struct {
	Region  string            `yaml:"region"`
	Name    string            `yaml:"name"`
	Runtime string            `yaml:"runtime"`
	Tags    map[string]string `yaml:"tags"`
	Public  []string          `yaml:"public_statements"`
}

// SeedFunction creates a function without a CloudTrail event.
func (c *Cloud) SeedFunction(account string, seed FunctionSeed) error {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	if err := c.lambda.create(account, seed.Region, seed.Name, seed.Runtime, seed.Tags); err != nil {
		return fmt.Errorf("function %s: %w", seed.Name, err)
	}
	s := c.lambda
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.funcs[ec2Key{account, seed.Region}][seed.Name]
	for _, sid := range seed.Public {
		if !lambdaSidPattern.MatchString(sid) {
			return fmt.Errorf("function %s: statement id %q is not valid", seed.Name, sid)
		}
		f.statements = append(f.statements, lambdaStatement(sid, "lambda:InvokeFunction", "*", f.arn(), nil))
	}
	return nil
}

// FunctionStatementIDs lists the statement ids of a function's policy in
// order, for tests; the second result is false when the function does not
// exist.
func (c *Cloud) FunctionStatementIDs(account, region, name string) ([]string, bool) {
	s := c.lambda
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.funcs[ec2Key{account, region}][name]
	if !ok {
		return nil, false
	}
	ids := []string{}
	for _, st := range f.statements {
		ids = append(ids, st["Sid"].(string))
	}
	return ids, true
}
