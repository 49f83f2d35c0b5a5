package fakecloud

import (
	"cmp"
	"encoding/json"
	"sort"
	"strings"
	"unicode"
)

// shFilterPaths maps the GetFindings StringFilter fields emulated here to
// the ASFF values they test. "[]" walks every element of a list, so
// ResourceId matches any resource of a finding.
var shFilterPaths = map[string]string{
	"Id":                                 "Id",
	"ProductArn":                         "ProductArn",
	"GeneratorId":                        "GeneratorId",
	"AwsAccountId":                       "AwsAccountId",
	"Region":                             "Region",
	"Title":                              "Title",
	"Description":                        "Description",
	"CompanyName":                        "CompanyName",
	"ProductName":                        "ProductName",
	"SourceUrl":                          "SourceUrl",
	"RecordState":                        "RecordState",
	"VerificationState":                  "VerificationState",
	"ComplianceStatus":                   "Compliance.Status",
	"ComplianceSecurityControlId":        "Compliance.SecurityControlId",
	"WorkflowStatus":                     "Workflow.Status",
	"SeverityLabel":                      "Severity.Label",
	"NoteText":                           "Note.Text",
	"NoteUpdatedBy":                      "Note.UpdatedBy",
	"RecommendationText":                 "Remediation.Recommendation.Text",
	"Type":                               "Types[]",
	"ResourceId":                         "Resources[].Id",
	"ResourceType":                       "Resources[].Type",
	"ResourcePartition":                  "Resources[].Partition",
	"ResourceRegion":                     "Resources[].Region",
	"RelatedFindingsId":                  "RelatedFindings[].Id",
	"RelatedFindingsProductArn":          "RelatedFindings[].ProductArn",
	"FindingProviderFieldsSeverityLabel": "FindingProviderFields.Severity.Label",
}

// shStringFilter is one StringFilter of a GetFindings request.
type shStringFilter struct {
	Value      string
	Comparison string
}

type shFieldFilter struct {
	path    string
	filters []shStringFilter
}

// shFilters are the parsed Filters of one GetFindings call; fields are
// ANDed, as in AWS.
type shFilters []shFieldFilter

// shParseFilters reads the Filters object. A filter this emulation does
// not evaluate is refused rather than ignored, so a query never silently
// returns more than AWS would.
func shParseFilters(raw map[string]json.RawMessage) (shFilters, *APIError) {
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	var out shFilters
	for _, name := range names {
		if v := string(raw[name]); v == "null" || v == "[]" {
			continue
		}
		path, known := shFilterPaths[name]
		if !known {
			return nil, shInvalidInput("Invalid parameter 'Filters.%s'. fakecloud evaluates only the StringFilter fields %s", name, strings.Join(shFilterNames(), ", "))
		}
		var list []shStringFilter
		if err := json.Unmarshal(raw[name], &list); err != nil {
			return nil, shInvalidInput("Invalid parameter 'Filters.%s'. It should be a list of {Value, Comparison}: %v", name, err)
		}
		for _, f := range list {
			if !shComparisons[f.Comparison] {
				return nil, shInvalidInput("Invalid parameter 'Filters.%s.Comparison'. It should be one of EQUALS, PREFIX, NOT_EQUALS, PREFIX_NOT_EQUALS, CONTAINS, NOT_CONTAINS, CONTAINS_WORD (got %q)", name, f.Comparison)
			}
		}
		if len(list) > 0 {
			out = append(out, shFieldFilter{path: path, filters: list})
		}
	}
	return out, nil
}

func shFilterNames() []string {
	names := make([]string, 0, len(shFilterPaths))
	for n := range shFilterPaths {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var shComparisons = map[string]bool{
	"EQUALS": true, "PREFIX": true, "CONTAINS": true, "CONTAINS_WORD": true,
	"NOT_EQUALS": true, "PREFIX_NOT_EQUALS": true, "NOT_CONTAINS": true,
}

func (fs shFilters) match(doc map[string]any) bool {
	for _, f := range fs {
		if !f.match(shValues(doc, f.path)) {
			return false
		}
	}
	return true
}

// match applies Security Hub's rule for several filters on one field:
// positive comparisons are ORed, negative ones ANDed, and both must hold.
func (f shFieldFilter) match(values []string) bool {
	anyPositive, positiveHit := false, false
	for _, sf := range f.filters {
		negative := strings.HasPrefix(sf.Comparison, "NOT_") || sf.Comparison == "PREFIX_NOT_EQUALS"
		hit := false
		for _, v := range values {
			if shCompare(sf.Comparison, v, sf.Value) {
				hit = true
				break
			}
		}
		if negative {
			// A negative filter holds when no value of the field is excluded.
			if hit {
				return false
			}
			continue
		}
		anyPositive = true
		positiveHit = positiveHit || hit
	}
	return !anyPositive || positiveHit
}

// shCompare reports whether v meets the comparison against want. For the
// negative comparisons it reports whether v is excluded.
func shCompare(comparison, v, want string) bool {
	switch comparison {
	case "EQUALS", "NOT_EQUALS":
		return v == want
	case "PREFIX", "PREFIX_NOT_EQUALS":
		return strings.HasPrefix(v, want)
	case "CONTAINS", "NOT_CONTAINS":
		return strings.Contains(v, want)
	case "CONTAINS_WORD":
		words := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, w := range words {
			if w == want {
				return true
			}
		}
	}
	return false
}

// shValues collects the string values at path, walking lists at "[]".
func shValues(doc map[string]any, path string) []string {
	cur := []any{doc}
	for _, seg := range strings.Split(path, ".") {
		key, list := strings.CutSuffix(seg, "[]")
		var next []any
		for _, c := range cur {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			v, ok := m[key]
			if !ok {
				continue
			}
			if items, ok := v.([]any); ok && list {
				next = append(next, items...)
			} else if !list {
				next = append(next, v)
			}
		}
		cur = next
	}
	var out []string
	for _, v := range cur {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// shSortCriterion is one SortCriteria entry of GetFindings.
type shSortCriterion struct {
	Field     string
	SortOrder string
}

func shCheckSort(criteria []shSortCriterion) *APIError {
	for _, sc := range criteria {
		if sc.Field == "" {
			return shInvalidInput("Invalid parameter 'SortCriteria'. Each criterion needs a Field")
		}
		if sc.SortOrder != "" && sc.SortOrder != "asc" && sc.SortOrder != "desc" {
			return shInvalidInput("Invalid parameter 'SortCriteria.SortOrder'. It should be asc or desc (got %q)", sc.SortOrder)
		}
	}
	return nil
}

// shSort orders findings by the criteria, stably, so findings that tie
// keep import order. A Field is a filter name (SeverityLabel) or an ASFF
// path (UpdatedAt, Severity.Normalized); numbers compare as numbers and
// RFC 3339 timestamps compare correctly as strings.
func shSort(findings []*shFinding, criteria []shSortCriterion) {
	if len(criteria) == 0 {
		return
	}
	key := func(f *shFinding, field string) any {
		path, ok := shFilterPaths[field]
		if !ok {
			path = field
		}
		if field == "SeverityNormalized" {
			path = "Severity.Normalized"
		}
		v, _ := shLookup(f.doc, strings.TrimSuffix(path, "[]"))
		return v
	}
	sort.SliceStable(findings, func(i, j int) bool {
		for _, sc := range criteria {
			c := shCompareKeys(key(findings[i], sc.Field), key(findings[j], sc.Field))
			if c == 0 {
				continue
			}
			if sc.SortOrder == "desc" {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

// shCompareKeys orders two ASFF values; missing values sort first.
func shCompareKeys(a, b any) int {
	na, aNum := a.(json.Number)
	nb, bNum := b.(json.Number)
	if aNum && bNum {
		fa, _ := na.Float64()
		fb, _ := nb.Float64()
		return cmp.Compare(fa, fb)
	}
	sa, _ := a.(string)
	sb, _ := b.(string)
	return strings.Compare(sa, sb)
}
