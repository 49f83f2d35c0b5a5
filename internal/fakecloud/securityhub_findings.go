package fakecloud

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// shMaxBatch is the most findings one BatchImportFindings or
// BatchUpdateFindings call may carry.
const shMaxBatch = 100

// shHubKey scopes findings: Security Hub is regional, per account.
type shHubKey struct{ account, region string }

// shHub is the finding store of one account and region, guarded by
// securityHubService.mu.
type shHub struct {
	findings []*shFinding // in first-import order, which GetFindings pages through
	index    map[shFindingKey]*shFinding
	bucket   shBucket

	importCalls, importedFindings int
}

// shFindingKey identifies a finding: a provider's Id within its product.
type shFindingKey struct{ productArn, id string }

// shFinding keeps the ASFF object as stored, so every field a provider
// sent round-trips through GetFindings, known to us or not.
type shFinding struct {
	doc map[string]any
	// customer lists the fields BatchUpdateFindings has set; later imports
	// no longer change them, since the customer's word wins.
	customer map[string]bool
}

// shProviderLocked are the fields an import may set only when it creates
// the finding; afterwards they belong to the customer's workflow.
var shProviderLocked = []string{"Note", "UserDefinedFields", "VerificationState", "Workflow"}

// shCustomerFields are the fields BatchUpdateFindings may set. Imports
// still update them until a customer does.
var shCustomerFields = []string{"Confidence", "Criticality", "Note", "RelatedFindings", "Severity", "Types", "UserDefinedFields", "VerificationState", "Workflow"}

func (s *securityHubService) hub(account, region string) *shHub {
	k := shHubKey{account, region}
	h, ok := s.hubs[k]
	if !ok {
		h = &shHub{index: map[shFindingKey]*shFinding{}}
		s.hubs[k] = h
	}
	return h
}

// upsert stores an imported, validated finding. A re-import replaces the
// finding but keeps what belongs to its history (CreatedAt,
// FirstObservedAt) and to the customer, and reopens a resolved workflow
// when the problem is back, as Security Hub does.
func (h *shHub) upsert(doc map[string]any) {
	k := shFindingKey{shString(doc, "ProductArn"), shString(doc, "Id")}
	old, ok := h.index[k]
	if !ok {
		f := &shFinding{doc: doc, customer: map[string]bool{}}
		h.index[k] = f
		h.findings = append(h.findings, f)
		return
	}
	prev := old.doc
	for _, field := range []string{"CreatedAt", "FirstObservedAt"} {
		if v, ok := prev[field]; ok {
			doc[field] = v
		}
	}
	for _, field := range shCustomerFields {
		if slices.Contains(shProviderLocked, field) || old.customer[field] {
			if v, ok := prev[field]; ok {
				doc[field] = v
			} else {
				delete(doc, field)
			}
		}
	}
	reopened := (shString(prev, "RecordState") == "ARCHIVED" && shString(doc, "RecordState") == "ACTIVE") ||
		(shString(prev, "Compliance.Status") == "PASSED" && slices.Contains([]string{"WARNING", "FAILED", "NOT_AVAILABLE"}, shString(doc, "Compliance.Status")))
	if status := shString(doc, "Workflow.Status"); reopened && (status == "NOTIFIED" || status == "RESOLVED") {
		doc["Workflow"] = map[string]any{"Status": "NEW"}
	}
	old.doc = doc
}

type shFailedFinding struct {
	Id           string
	ErrorCode    string
	ErrorMessage string
}

func (s *securityHubService) batchImportFindings(c *call) *APIError {
	var in struct{ Findings []json.RawMessage }
	if err := s.decode(c, &in); err != nil {
		c.Record(map[string]any{})
		return err
	}
	c.Record(map[string]any{"findingCount": len(in.Findings)})
	if err := s.admitImport(c, in.Findings); err != nil {
		return err
	}

	docs := make([]map[string]any, len(in.Findings))
	for i, raw := range in.Findings {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		_ = dec.Decode(&docs[i]) // a non-object stays nil and fails validation below
	}
	// A finding for another account, or under another account's default
	// product, fails the whole call, as in AWS.
	for _, doc := range docs {
		if doc == nil {
			continue
		}
		if acct, ok := doc["AwsAccountId"].(string); ok && acct != "" && acct != c.account() {
			return shAccessDenied(c, shString(doc, "ProductArn"))
		}
		if product := shString(doc, "ProductArn"); strings.HasSuffix(product, "/default") {
			parts := strings.Split(product, ":")
			if len(parts) < 6 || parts[3] != c.region || parts[4] != c.account() {
				return shAccessDenied(c, product)
			}
		}
	}

	out := struct {
		FailedCount    int
		SuccessCount   int
		FailedFindings []shFailedFinding
	}{FailedFindings: []shFailedFinding{}}
	now := s.cloud.now()
	var valid []map[string]any
	for _, doc := range docs {
		msg := shASFFPrefix + "data should be object"
		if doc != nil {
			msg = shValidate(doc)
		}
		if msg != "" {
			id, _ := doc["Id"].(string)
			out.FailedFindings = append(out.FailedFindings, shFailedFinding{Id: id, ErrorCode: "InvalidInput", ErrorMessage: msg})
			continue
		}
		shNormalize(doc, c.region, now)
		valid = append(valid, doc)
	}
	s.mu.Lock()
	h := s.hub(c.account(), c.region)
	for _, doc := range valid {
		h.upsert(doc)
	}
	h.importedFindings += len(valid)
	s.mu.Unlock()

	out.SuccessCount, out.FailedCount = len(valid), len(out.FailedFindings)
	c.RecordResponse(map[string]any{"failedCount": out.FailedCount, "successCount": out.SuccessCount})
	s.reply(c, out)
	return nil
}

// admitImport counts an import call against its hub and refuses it as a
// whole when it carries no findings or too many, or is over the quota.
func (s *securityHubService) admitImport(c *call, findings []json.RawMessage) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hub(c.account(), c.region)
	h.importCalls++
	switch {
	case findings == nil:
		return shInvalidInput("Invalid parameter 'Findings'. data should have required property 'Findings'")
	case len(findings) > shMaxBatch:
		return shInvalidInput("Invalid parameter 'Findings'. data.Findings should NOT have more than %d items (got %d); send them in batches of %d", shMaxBatch, len(findings), shMaxBatch)
	}
	if !h.bucket.take(s.limit, s.cloud.now()) {
		return &APIError{Status: http.StatusTooManyRequests, Code: "LimitExceededException", Message: "Rate exceeded: BatchImportFindings is over its request quota for this account and region."}
	}
	return nil
}

// shPageToken is the opaque NextToken: an offset into the filtered list.
// Findings are appended in import order, so offsets stay valid while
// a client pages, even if imports happen in between.
func shPageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func shParsePageToken(token string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
	return n, err == nil && n >= 0 && strings.HasPrefix(string(raw), "offset:")
}

func (s *securityHubService) getFindings(c *call) *APIError {
	var in struct {
		Filters      map[string]json.RawMessage
		SortCriteria []shSortCriterion
		MaxResults   *int
		NextToken    string
	}
	if err := s.decode(c, &in); err != nil {
		return err
	}
	filters, err := shParseFilters(in.Filters)
	if err != nil {
		return err
	}
	if err := shCheckSort(in.SortCriteria); err != nil {
		return err
	}
	limit := shMaxBatch
	if in.MaxResults != nil {
		limit = *in.MaxResults
		if limit < 1 || limit > 100 {
			return shInvalidInput("Invalid parameter 'MaxResults'. data.MaxResults should be between 1 and 100 (got %d)", limit)
		}
	}
	offset := 0
	if in.NextToken != "" {
		var ok bool
		if offset, ok = shParsePageToken(in.NextToken); !ok {
			return shInvalidInput("Invalid parameter 'NextToken'. The token is not one GetFindings returned.")
		}
	}

	findings, more, err := s.page(c, filters, in.SortCriteria, offset, limit)
	if err != nil {
		return err
	}
	out := struct {
		Findings  []json.RawMessage
		NextToken string `json:",omitempty"`
	}{Findings: findings}
	if more {
		out.NextToken = shPageToken(offset + limit)
	}
	s.reply(c, out)
	return nil
}

// page encodes one page of the matching findings while holding the lock,
// so the response is written without it.
func (s *securityHubService) page(c *call, filters shFilters, sorting []shSortCriterion, offset, limit int) (page []json.RawMessage, more bool, err *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*shFinding
	if h, ok := s.hubs[shHubKey{c.account(), c.region}]; ok {
		for _, f := range h.findings {
			if filters.match(f.doc) {
				matched = append(matched, f)
			}
		}
	}
	shSort(matched, sorting)
	page = []json.RawMessage{}
	for i := offset; i < len(matched) && i < offset+limit; i++ {
		b, merr := json.Marshal(matched[i].doc)
		if merr != nil {
			return nil, false, &APIError{Status: http.StatusInternalServerError, Code: "InternalException", Message: fmt.Sprintf("encode finding %s: %v", shString(matched[i].doc, "Id"), merr)}
		}
		page = append(page, b)
	}
	return page, offset+limit < len(matched), nil
}

type shFindingIdentifier struct {
	Id         string
	ProductArn string
}

func (s *securityHubService) batchUpdateFindings(c *call) *APIError {
	var in struct {
		FindingIdentifiers []shFindingIdentifier
		Note               *struct{ Text, UpdatedBy string }
		Workflow           *struct{ Status string }
		Severity           map[string]any
		VerificationState  *string
		Confidence         *json.Number
		Criticality        *json.Number
		Types              []string
		UserDefinedFields  map[string]string
		RelatedFindings    []shFindingIdentifier
	}
	if err := s.decode(c, &in); err != nil {
		c.Record(map[string]any{})
		return err
	}
	ids := make([]map[string]string, len(in.FindingIdentifiers))
	for i, id := range in.FindingIdentifiers {
		ids[i] = map[string]string{"id": id.Id, "productArn": id.ProductArn}
	}
	params := map[string]any{"findingIdentifiers": ids}
	if in.Workflow != nil {
		params["workflow"] = map[string]any{"status": in.Workflow.Status}
	}
	if in.Note != nil {
		params["note"] = map[string]any{"text": in.Note.Text, "updatedBy": in.Note.UpdatedBy}
	}
	c.Record(params)

	// Validate the whole request first: an invalid value refuses the call.
	update := map[string]any{}
	switch n := len(in.FindingIdentifiers); {
	case n == 0:
		return shInvalidInput("Invalid parameter 'FindingIdentifiers'. data.FindingIdentifiers should NOT have fewer than 1 items")
	case n > shMaxBatch:
		return shInvalidInput("Invalid parameter 'FindingIdentifiers'. data.FindingIdentifiers should NOT have more than %d items (got %d)", shMaxBatch, n)
	}
	if in.Workflow != nil {
		if !slices.Contains(shWorkflowStatuses, in.Workflow.Status) {
			return shInvalidInput("Invalid parameter 'Workflow.Status'. It should be one of %s", strings.Join(shWorkflowStatuses, ", "))
		}
		update["Workflow"] = map[string]any{"Status": in.Workflow.Status}
	}
	if in.Note != nil {
		if in.Note.Text == "" || in.Note.UpdatedBy == "" {
			return shInvalidInput("Invalid parameter 'Note'. Note needs both Text and UpdatedBy")
		}
		update["Note"] = map[string]any{"Text": in.Note.Text, "UpdatedBy": in.Note.UpdatedBy, "UpdatedAt": s.cloud.now().UTC().Format(time.RFC3339Nano)}
	}
	if in.Severity != nil {
		if label, ok := in.Severity["Label"]; ok && !slices.Contains(shSeverityLabels, fmt.Sprint(label)) {
			return shInvalidInput("Invalid parameter 'Severity.Label'. It should be one of %s", strings.Join(shSeverityLabels, ", "))
		}
		if n, ok := in.Severity["Normalized"]; ok {
			if v, ok := shInt(n); !ok || v < 0 || v > 100 {
				return shInvalidInput("Invalid parameter 'Severity.Normalized'. It should be an integer from 0 to 100")
			}
		}
		update["Severity"] = in.Severity
	}
	if in.VerificationState != nil {
		if !slices.Contains(shVerificationStates, *in.VerificationState) {
			return shInvalidInput("Invalid parameter 'VerificationState'. It should be one of %s", strings.Join(shVerificationStates, ", "))
		}
		update["VerificationState"] = *in.VerificationState
	}
	for name, v := range map[string]*json.Number{"Confidence": in.Confidence, "Criticality": in.Criticality} {
		if v == nil {
			continue
		}
		if n, ok := shInt(*v); !ok || n < 0 || n > 100 {
			return shInvalidInput("Invalid parameter '%s'. It should be an integer from 0 to 100", name)
		}
		update[name] = *v
	}
	if in.Types != nil {
		update["Types"] = in.Types
	}
	if in.UserDefinedFields != nil {
		update["UserDefinedFields"] = in.UserDefinedFields
	}
	if in.RelatedFindings != nil {
		update["RelatedFindings"] = in.RelatedFindings
	}

	type unprocessed struct {
		FindingIdentifier shFindingIdentifier
		ErrorCode         string
		ErrorMessage      string
	}
	out := struct {
		ProcessedFindings   []shFindingIdentifier
		UnprocessedFindings []unprocessed
	}{ProcessedFindings: []shFindingIdentifier{}, UnprocessedFindings: []unprocessed{}}

	s.mu.Lock()
	h := s.hub(c.account(), c.region)
	seen := map[shFindingKey]bool{}
	for _, id := range in.FindingIdentifiers {
		k := shFindingKey{id.ProductArn, id.Id}
		f, ok := h.index[k]
		switch {
		case seen[k]:
			out.UnprocessedFindings = append(out.UnprocessedFindings, unprocessed{id, "DuplicatedFindingIdentifier", "Duplicated Finding Identifier"})
			continue
		case !ok:
			out.UnprocessedFindings = append(out.UnprocessedFindings, unprocessed{id, "FindingNotFound", "Finding Not Found"})
			continue
		}
		seen[k] = true
		f.apply(update)
		out.ProcessedFindings = append(out.ProcessedFindings, id)
	}
	s.mu.Unlock()
	c.RecordResponse(map[string]any{"processedFindings": len(out.ProcessedFindings), "unprocessedFindings": len(out.UnprocessedFindings)})
	s.reply(c, out)
	return nil
}

// apply sets the fields of a BatchUpdateFindings call and marks them as
// the customer's. Callers hold securityHubService.mu.
func (f *shFinding) apply(update map[string]any) {
	for field, v := range update {
		// Re-encode so that the stored finding holds plain JSON values
		// (maps, slices, json.Number), like an imported one.
		b, _ := json.Marshal(v)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var plain any
		_ = dec.Decode(&plain)
		if sev, ok := plain.(map[string]any); ok && field == "Severity" {
			plain = shMergeSeverity(f.doc["Severity"], sev)
		}
		f.doc[field] = plain
		f.customer[field] = true
	}
}

// shMergeSeverity applies a severity update. A new Label alone re-derives
// the score, and a new score alone the Label, rather than keeping a stale
// counterpart.
func shMergeSeverity(current any, update map[string]any) map[string]any {
	merged := map[string]any{}
	if cur, ok := current.(map[string]any); ok {
		for k, v := range cur {
			merged[k] = v
		}
	}
	for k, v := range update {
		merged[k] = v
	}
	_, newLabel := update["Label"]
	_, newScore := update["Normalized"]
	switch {
	case newLabel && !newScore:
		delete(merged, "Normalized")
	case newScore && !newLabel:
		delete(merged, "Label")
	}
	shFillSeverity(merged)
	return merged
}

// ImportStats reports, for one account and region, how many
// BatchImportFindings calls Security Hub read (those it refused as a
// whole included: they cost a request too) and how many findings it
// accepted.
func (c *Cloud) ImportStats(account, region string) (calls, findings int) {
	s := c.securityhub
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hubs[shHubKey{account, region}]
	if !ok {
		return 0, 0
	}
	return h.importCalls, h.importedFindings
}

// Findings returns copies of the findings of an account and region as
// GetFindings would, in import order, for tests to assert on.
func (c *Cloud) Findings(account, region string) []map[string]any {
	s := c.securityhub
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hubs[shHubKey{account, region}]
	if !ok {
		return nil
	}
	out := make([]map[string]any, 0, len(h.findings))
	for _, f := range h.findings {
		b, _ := json.Marshal(f.doc)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		out = append(out, m)
	}
	return out
}
