package fakecloud

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// shASFFPrefix starts every message for an invalid finding, as in AWS,
// whose validator then names the offending field JSON-schema style.
const shASFFPrefix = "Finding does not adhere to Amazon Finding Format. "

// shRequiredStrings are the ASFF string fields every finding must carry.
var shRequiredStrings = []string{
	"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId",
	"CreatedAt", "UpdatedAt", "Title", "Description",
}

// Enumerations of the fields Security Hub acts on.
var (
	shSeverityLabels     = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	shComplianceStatuses = []string{"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
	shRecordStates       = []string{"ACTIVE", "ARCHIVED"}
	shWorkflowStatuses   = []string{"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
	shVerificationStates = []string{"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"}
)

// shValidate checks one finding of a BatchImportFindings call and returns
// the FailedFindings message, or "" when the finding is valid.
func shValidate(doc map[string]any) string {
	for _, f := range shRequiredStrings {
		v, ok := doc[f]
		if !ok || v == nil {
			return shASFFPrefix + fmt.Sprintf("data should have required property '%s'", f)
		}
		s, ok := v.(string)
		if !ok {
			return shASFFPrefix + fmt.Sprintf("data.%s should be string", f)
		}
		if s == "" {
			return shASFFPrefix + fmt.Sprintf("data.%s should NOT be shorter than 1 characters", f)
		}
	}
	for _, f := range []string{"CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"} {
		if v, ok := doc[f].(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				return shASFFPrefix + fmt.Sprintf("data.%s should match format \"date-time\" (RFC 3339, e.g. 2026-01-02T15:04:05Z)", f)
			}
		}
	}
	if !strings.HasPrefix(doc["ProductArn"].(string), "arn:") || !strings.Contains(doc["ProductArn"].(string), ":product/") {
		return shASFFPrefix + "data.ProductArn should be a product ARN (arn:aws:securityhub:REGION:ACCOUNT:product/COMPANY/PRODUCT)"
	}
	if msg := shValidateTypes(doc["Types"]); msg != "" {
		return msg
	}
	if msg := shValidateSeverity(doc["Severity"]); msg != "" {
		return msg
	}
	if msg := shValidateResources(doc["Resources"]); msg != "" {
		return msg
	}
	enums := []struct {
		path    string
		allowed []string
	}{
		{"Compliance.Status", shComplianceStatuses},
		{"RecordState", shRecordStates},
		{"Workflow.Status", shWorkflowStatuses},
		{"VerificationState", shVerificationStates},
	}
	for _, e := range enums {
		if v, ok := shLookup(doc, e.path); ok {
			if s, _ := v.(string); !slices.Contains(e.allowed, s) {
				return shASFFPrefix + fmt.Sprintf("data.%s should be equal to one of the allowed values: %s", e.path, strings.Join(e.allowed, ", "))
			}
		}
	}
	if note, ok := doc["Note"]; ok {
		m, _ := note.(map[string]any)
		for _, f := range []string{"Text", "UpdatedBy", "UpdatedAt"} {
			if s, _ := m[f].(string); s == "" {
				return shASFFPrefix + fmt.Sprintf("data.Note should have required property '%s'", f)
			}
		}
	}
	return ""
}

func shValidateTypes(v any) string {
	if v == nil {
		return shASFFPrefix + "data should have required property 'Types'"
	}
	types, ok := v.([]any)
	if !ok {
		return shASFFPrefix + "data.Types should be array"
	}
	if len(types) == 0 {
		return shASFFPrefix + "data.Types should NOT have fewer than 1 items"
	}
	for i, t := range types {
		if s, _ := t.(string); s == "" {
			return shASFFPrefix + fmt.Sprintf("data.Types[%d] should be a non-empty string", i)
		}
	}
	return ""
}

func shValidateSeverity(v any) string {
	if v == nil {
		return shASFFPrefix + "data should have required property 'Severity'"
	}
	sev, ok := v.(map[string]any)
	if !ok {
		return shASFFPrefix + "data.Severity should be object"
	}
	label, hasLabel := sev["Label"]
	norm, hasNorm := sev["Normalized"]
	if !hasLabel && !hasNorm {
		return shASFFPrefix + "data.Severity should have required property 'Label' or 'Normalized'"
	}
	if hasLabel {
		if s, _ := label.(string); !slices.Contains(shSeverityLabels, s) {
			return shASFFPrefix + "data.Severity.Label should be equal to one of the allowed values: " + strings.Join(shSeverityLabels, ", ")
		}
	}
	if hasNorm {
		if n, ok := shInt(norm); !ok || n < 0 || n > 100 {
			return shASFFPrefix + "data.Severity.Normalized should be an integer from 0 to 100"
		}
	}
	return ""
}

func shValidateResources(v any) string {
	if v == nil {
		return shASFFPrefix + "data should have required property 'Resources'"
	}
	list, ok := v.([]any)
	if !ok {
		return shASFFPrefix + "data.Resources should be array"
	}
	if len(list) == 0 {
		return shASFFPrefix + "data.Resources should NOT have fewer than 1 items"
	}
	if len(list) > 32 {
		return shASFFPrefix + "data.Resources should NOT have more than 32 items"
	}
	for i, r := range list {
		res, ok := r.(map[string]any)
		if !ok {
			return shASFFPrefix + fmt.Sprintf("data.Resources[%d] should be object", i)
		}
		for _, f := range []string{"Type", "Id"} {
			if s, _ := res[f].(string); s == "" {
				return shASFFPrefix + fmt.Sprintf("data.Resources[%d] should have required property '%s'", i, f)
			}
		}
	}
	return ""
}

// shInt reads a JSON integer decoded with UseNumber.
func shInt(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}

// shLookup follows a dotted path of object keys.
func shLookup(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func shString(doc map[string]any, path string) string {
	v, _ := shLookup(doc, path)
	s, _ := v.(string)
	return s
}

// shFillSeverity completes Severity the way Security Hub does: a Label
// alone gets its Normalized score, a Normalized score alone its Label.
func shFillSeverity(sev map[string]any) {
	label, hasLabel := sev["Label"].(string)
	if _, hasNorm := sev["Normalized"]; hasLabel && !hasNorm {
		score := map[string]int{"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}[label]
		sev["Normalized"] = json.Number(fmt.Sprint(score))
		return
	}
	if n, ok := shInt(sev["Normalized"]); ok && !hasLabel {
		switch {
		case n == 0:
			label = "INFORMATIONAL"
		case n < 40:
			label = "LOW"
		case n < 70:
			label = "MEDIUM"
		case n < 90:
			label = "HIGH"
		default:
			label = "CRITICAL"
		}
		sev["Label"] = label
	}
}

// shNormalize adds what Security Hub itself sets on an imported finding.
func shNormalize(doc map[string]any, region string, now time.Time) {
	if sev, ok := doc["Severity"].(map[string]any); ok {
		shFillSeverity(sev)
	}
	if _, ok := doc["RecordState"]; !ok {
		doc["RecordState"] = "ACTIVE"
	}
	if _, ok := doc["Workflow"]; !ok {
		doc["Workflow"] = map[string]any{"Status": "NEW"}
	}
	doc["Region"] = region
	doc["ProcessedAt"] = now.UTC().Format("2006-01-02T15:04:05.000Z")
	if strings.HasSuffix(shString(doc, "ProductArn"), "/default") {
		doc["CompanyName"] = "Personal"
		doc["ProductName"] = "Default"
	}
}
