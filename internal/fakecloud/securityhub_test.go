package fakecloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go/middleware"
)

// shTestFinding is a valid ASFF finding shaped like the ones rectify
// writes (see DESIGN.md "Findings").
func shTestFinding(account, region, id string) types.AwsSecurityFinding {
	return types.AwsSecurityFinding{
		SchemaVersion: aws.String("2018-10-08"),
		Id:            aws.String(id),
		ProductArn:    aws.String(fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", region, account, account)),
		GeneratorId:   aws.String("rectify/aws.ec2.sg_public_admin_ports"),
		AwsAccountId:  aws.String(account),
		Types:         []string{"Software and Configuration Checks/AWS Security Best Practices"},
		CreatedAt:     aws.String("2026-03-01T12:00:00Z"),
		UpdatedAt:     aws.String("2026-03-01T12:00:00Z"),
		Severity:      &types.Severity{Label: types.SeverityLabelHigh},
		Title:         aws.String("Security group allows SSH from the internet"),
		Description:   aws.String("sg-0abc allows 0.0.0.0/0 on port 22"),
		Resources: []types.Resource{{
			Type: aws.String("AwsEc2SecurityGroup"),
			Id:   aws.String(fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/sg-%s", region, account, id)),
		}},
		Compliance:  &types.Compliance{Status: types.ComplianceStatusFailed},
		RecordState: types.RecordStateActive,
	}
}

func shFindings(account, region string, n int) []types.AwsSecurityFinding {
	out := make([]types.AwsSecurityFinding, n)
	for i := range out {
		out[i] = shTestFinding(account, region, fmt.Sprintf("rectify/aws.ec2.sg_public_admin_ports/f%03d", i))
	}
	return out
}

// withoutValidation drops the SDK's client-side checks of required
// fields, so the tests reach the server's validation with what a
// hand-written client might send.
func withoutValidation(o *securityhub.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		// Operations with no required input have no such step; that is fine.
		_, _ = s.Initialize.Remove("OperationInputValidation")
		return nil
	})
}

func newSecurityHub(t *testing.T) (*Cloud, *securityhub.Client) {
	t.Helper()
	c, cfg := startCloud(t)
	return c, securityhub.NewFromConfig(cfg, withoutValidation)
}

func mustImport(t *testing.T, client *securityhub.Client, findings ...types.AwsSecurityFinding) *securityhub.BatchImportFindingsOutput {
	t.Helper()
	out, err := client.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: findings})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedCount) != 0 {
		t.Fatalf("import failed: %+v", out.FailedFindings)
	}
	return out
}

func TestSecurityHubImportValidation(t *testing.T) {
	_, client := newSecurityHub(t)
	tests := []struct {
		name   string
		mutate func(f *types.AwsSecurityFinding)
		want   string
	}{
		{"no SchemaVersion", func(f *types.AwsSecurityFinding) { f.SchemaVersion = nil }, "required property 'SchemaVersion'"},
		{"empty Id", func(f *types.AwsSecurityFinding) { f.Id = aws.String("") }, "data.Id should NOT be shorter than 1 characters"},
		{"no ProductArn", func(f *types.AwsSecurityFinding) { f.ProductArn = nil }, "required property 'ProductArn'"},
		{"ProductArn not a product", func(f *types.AwsSecurityFinding) { f.ProductArn = aws.String("arn:aws:s3:::bucket") }, "data.ProductArn should be a product ARN"},
		{"no GeneratorId", func(f *types.AwsSecurityFinding) { f.GeneratorId = nil }, "required property 'GeneratorId'"},
		{"no AwsAccountId", func(f *types.AwsSecurityFinding) { f.AwsAccountId = nil }, "required property 'AwsAccountId'"},
		{"no Types", func(f *types.AwsSecurityFinding) { f.Types = nil }, "required property 'Types'"},
		{"empty Types", func(f *types.AwsSecurityFinding) { f.Types = []string{} }, "data.Types should NOT have fewer than 1 items"},
		{"no CreatedAt", func(f *types.AwsSecurityFinding) { f.CreatedAt = nil }, "required property 'CreatedAt'"},
		{"UpdatedAt not RFC 3339", func(f *types.AwsSecurityFinding) { f.UpdatedAt = aws.String("yesterday") }, "data.UpdatedAt should match format \"date-time\""},
		{"no Severity", func(f *types.AwsSecurityFinding) { f.Severity = nil }, "required property 'Severity'"},
		{"Severity without label or score", func(f *types.AwsSecurityFinding) { f.Severity = &types.Severity{} }, "'Label' or 'Normalized'"},
		{"Severity label unknown", func(f *types.AwsSecurityFinding) { f.Severity = &types.Severity{Label: "SEVERE"} }, "data.Severity.Label should be equal to one of the allowed values"},
		{"Severity score out of range", func(f *types.AwsSecurityFinding) { f.Severity = &types.Severity{Normalized: aws.Int32(101)} }, "data.Severity.Normalized"},
		{"no Title", func(f *types.AwsSecurityFinding) { f.Title = nil }, "required property 'Title'"},
		{"no Description", func(f *types.AwsSecurityFinding) { f.Description = nil }, "required property 'Description'"},
		{"no Resources", func(f *types.AwsSecurityFinding) { f.Resources = nil }, "required property 'Resources'"},
		{"empty Resources", func(f *types.AwsSecurityFinding) { f.Resources = []types.Resource{} }, "data.Resources should NOT have fewer than 1 items"},
		{"resource without Id", func(f *types.AwsSecurityFinding) { f.Resources[0].Id = nil }, "data.Resources[0] should have required property 'Id'"},
		{"resource without Type", func(f *types.AwsSecurityFinding) { f.Resources[0].Type = nil }, "data.Resources[0] should have required property 'Type'"},
		{"compliance status unknown", func(f *types.AwsSecurityFinding) { f.Compliance.Status = "BROKEN" }, "data.Compliance.Status should be equal to one of the allowed values"},
		{"workflow status unknown", func(f *types.AwsSecurityFinding) { f.Workflow = &types.Workflow{Status: "DONE"} }, "data.Workflow.Status should be equal to one of the allowed values"},
		{"record state unknown", func(f *types.AwsSecurityFinding) { f.RecordState = "DELETED" }, "data.RecordState should be equal to one of the allowed values"},
	}
	findings := []types.AwsSecurityFinding{shTestFinding(DefaultAccount, DefaultRegion, "valid")}
	for i, tt := range tests {
		f := shTestFinding(DefaultAccount, DefaultRegion, fmt.Sprintf("bad-%d", i))
		tt.mutate(&f)
		findings = append(findings, f)
	}
	out, err := client.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: findings})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.SuccessCount) != 1 || aws.ToInt32(out.FailedCount) != int32(len(tests)) || len(out.FailedFindings) != len(tests) {
		t.Fatalf("success %d, failed %d (%d listed); want 1, %d", aws.ToInt32(out.SuccessCount), aws.ToInt32(out.FailedCount), len(out.FailedFindings), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := out.FailedFindings[i]
			if aws.ToString(got.ErrorCode) != "InvalidInput" || !strings.Contains(aws.ToString(got.ErrorMessage), tt.want) ||
				!strings.HasPrefix(aws.ToString(got.ErrorMessage), "Finding does not adhere to Amazon Finding Format.") {
				t.Fatalf("failed finding = %s %s %q; want a message containing %q", aws.ToString(got.Id), aws.ToString(got.ErrorCode), aws.ToString(got.ErrorMessage), tt.want)
			}
			if want := aws.ToString(findings[i+1].Id); aws.ToString(got.Id) != want {
				t.Fatalf("failed finding id %q, want %q", aws.ToString(got.Id), want)
			}
		})
	}
}

func getAll(t *testing.T, client *securityhub.Client, filters *types.AwsSecurityFindingFilters) []types.AwsSecurityFinding {
	t.Helper()
	var all []types.AwsSecurityFinding
	p := securityhub.NewGetFindingsPaginator(client, &securityhub.GetFindingsInput{Filters: filters})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Findings...)
	}
	return all
}

func TestSecurityHubUpsert(t *testing.T) {
	c, cfg, _ := startCloudWithClock(t)
	client := securityhub.NewFromConfig(cfg)
	ctx := context.Background()

	f := shTestFinding(DefaultAccount, DefaultRegion, "rectify/p/arn:aws:ec2:us-east-1:123456789012:security-group/sg-1")
	f.FirstObservedAt = aws.String("2026-03-01T11:00:00Z")
	mustImport(t, client, f)
	got := getAll(t, client, nil)
	if len(got) != 1 {
		t.Fatalf("%d findings after the first import", len(got))
	}
	if g := got[0]; g.Workflow == nil || g.Workflow.Status != types.WorkflowStatusNew || g.RecordState != types.RecordStateActive ||
		aws.ToInt32(g.Severity.Normalized) != 70 || aws.ToString(g.Region) != DefaultRegion || aws.ToString(g.ProductName) != "Default" {
		t.Fatalf("first import stored %+v", g)
	}

	// The provider re-imports: resolved. CreatedAt and FirstObservedAt are
	// history and stay; Workflow belongs to the customer and stays too.
	f.CreatedAt, f.FirstObservedAt, f.UpdatedAt = aws.String("2026-03-02T00:00:00Z"), aws.String("2026-03-02T00:00:00Z"), aws.String("2026-03-02T00:00:00Z")
	f.Compliance = &types.Compliance{Status: types.ComplianceStatusPassed}
	f.RecordState = types.RecordStateArchived
	f.Workflow = &types.Workflow{Status: types.WorkflowStatusResolved}
	f.Title = aws.String("resolved")
	mustImport(t, client, f)
	got = getAll(t, client, nil)
	if len(got) != 1 {
		t.Fatalf("re-import made %d findings, want 1", len(got))
	}
	g := got[0]
	if aws.ToString(g.CreatedAt) != "2026-03-01T12:00:00Z" || aws.ToString(g.FirstObservedAt) != "2026-03-01T11:00:00Z" {
		t.Fatalf("re-import changed CreatedAt %s / FirstObservedAt %s", aws.ToString(g.CreatedAt), aws.ToString(g.FirstObservedAt))
	}
	if aws.ToString(g.UpdatedAt) != "2026-03-02T00:00:00Z" || g.Compliance.Status != types.ComplianceStatusPassed || g.RecordState != types.RecordStateArchived || aws.ToString(g.Title) != "resolved" {
		t.Fatalf("re-import did not update the provider's fields: %+v", g)
	}
	if g.Workflow.Status != types.WorkflowStatusNew {
		t.Fatalf("an import changed Workflow.Status to %s after creation", g.Workflow.Status)
	}

	// The customer resolves it with a note; then the problem comes back.
	if _, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: f.Id, ProductArn: f.ProductArn}},
		Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatusResolved},
		Note:               &types.NoteUpdate{Text: aws.String("fixed by rectify"), UpdatedBy: aws.String("rectify")},
	}); err != nil {
		t.Fatal(err)
	}
	f.Compliance = &types.Compliance{Status: types.ComplianceStatusFailed}
	f.RecordState = types.RecordStateActive
	f.Note = &types.Note{Text: aws.String("provider note"), UpdatedBy: aws.String("x"), UpdatedAt: aws.String("2026-03-02T00:00:00Z")}
	mustImport(t, client, f)
	g = getAll(t, client, nil)[0]
	if g.Workflow.Status != types.WorkflowStatusNew {
		t.Fatalf("recurrence left Workflow.Status %s, want NEW (Security Hub reopens PASSED→FAILED)", g.Workflow.Status)
	}
	if aws.ToString(g.Note.Text) != "fixed by rectify" {
		t.Fatalf("an import overwrote the customer's note with %q", aws.ToString(g.Note.Text))
	}
	if calls, n := c.ImportStats(DefaultAccount, DefaultRegion); calls != 3 || n != 3 {
		t.Fatalf("ImportStats = %d calls, %d findings; want 3, 3", calls, n)
	}
}

func TestSecurityHubSeverityDefaults(t *testing.T) {
	c, client := newSecurityHub(t)
	tests := []struct {
		score int32
		label string
	}{{0, "INFORMATIONAL"}, {1, "LOW"}, {39, "LOW"}, {40, "MEDIUM"}, {70, "HIGH"}, {89, "HIGH"}, {90, "CRITICAL"}, {100, "CRITICAL"}}
	for i, tt := range tests {
		f := shTestFinding(DefaultAccount, DefaultRegion, fmt.Sprintf("score-%d", i))
		f.Severity = &types.Severity{Normalized: aws.Int32(tt.score)}
		mustImport(t, client, f)
		if got := c.Findings(DefaultAccount, DefaultRegion)[i]["Severity"].(map[string]any)["Label"]; got != tt.label {
			t.Errorf("Normalized %d gave Label %v, want %s", tt.score, got, tt.label)
		}
	}
}

func TestSecurityHubRoundTrip(t *testing.T) {
	c, client := newSecurityHub(t)
	f := shTestFinding(DefaultAccount, DefaultRegion, "round-trip")
	f.ProductFields = map[string]string{"rectify/policy": "aws.ec2.sg_public_admin_ports", "rectify/workflow": "remediation/p/arn"}
	f.Remediation = &types.Remediation{Recommendation: &types.Recommendation{Text: aws.String("revoke the rule"), Url: aws.String("https://example.com/r")}}
	f.Resources[0].Tags = map[string]string{"team": "web"}
	f.Resources[0].Details = &types.ResourceDetails{Other: map[string]string{"rules": "sgr-1"}}
	f.UserDefinedFields = map[string]string{"ticket": "SEC-1"}
	mustImport(t, client, f)

	got := getAll(t, client, nil)[0]
	for _, check := range []struct {
		name       string
		sent, back any
	}{
		{"ProductFields", f.ProductFields, got.ProductFields},
		{"Remediation", f.Remediation, got.Remediation},
		{"Resources", f.Resources, got.Resources},
		{"UserDefinedFields", f.UserDefinedFields, got.UserDefinedFields},
		{"Types", f.Types, got.Types},
	} {
		if !reflect.DeepEqual(check.sent, check.back) {
			t.Errorf("%s did not round-trip: sent %+v, got %+v", check.name, check.sent, check.back)
		}
	}
	raw := c.Findings(DefaultAccount, DefaultRegion)
	if len(raw) != 1 || raw[0]["ProductFields"].(map[string]any)["rectify/policy"] != "aws.ec2.sg_public_admin_ports" {
		t.Fatalf("Findings() = %v", raw)
	}
}

func TestSecurityHubGetFindingsFilters(t *testing.T) {
	_, client := newSecurityHub(t)
	ctx := context.Background()
	mk := func(id, generator, compliance string, record types.RecordState, resource string) types.AwsSecurityFinding {
		f := shTestFinding(DefaultAccount, DefaultRegion, id)
		f.GeneratorId = aws.String(generator)
		f.Compliance = &types.Compliance{Status: types.ComplianceStatus(compliance)}
		f.RecordState = record
		f.Resources = append(f.Resources, types.Resource{Type: aws.String("AwsS3Bucket"), Id: aws.String(resource)})
		return f
	}
	mustImport(t, client,
		mk("rectify/sg/1", "rectify/sg", "FAILED", types.RecordStateActive, "arn:aws:s3:::alpha"),
		mk("rectify/sg/2", "rectify/sg", "PASSED", types.RecordStateArchived, "arn:aws:s3:::beta"),
		mk("rectify/s3/1", "rectify/s3", "FAILED", types.RecordStateActive, "arn:aws:s3:::gamma"),
	)
	if _, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String("rectify/s3/1"), ProductArn: shTestFinding(DefaultAccount, DefaultRegion, "").ProductArn}},
		Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatusSuppressed},
	}); err != nil {
		t.Fatal(err)
	}
	sf := func(v string, c types.StringFilterComparison) []types.StringFilter {
		return []types.StringFilter{{Value: aws.String(v), Comparison: c}}
	}
	product := fmt.Sprintf("arn:aws:securityhub:%s:%s:product/", DefaultRegion, DefaultAccount)
	tests := []struct {
		name    string
		filters types.AwsSecurityFindingFilters
		want    []string
	}{
		{"no filter", types.AwsSecurityFindingFilters{}, []string{"rectify/sg/1", "rectify/sg/2", "rectify/s3/1"}},
		{"Id EQUALS", types.AwsSecurityFindingFilters{Id: sf("rectify/sg/2", types.StringFilterComparisonEquals)}, []string{"rectify/sg/2"}},
		{"Id PREFIX", types.AwsSecurityFindingFilters{Id: sf("rectify/sg/", types.StringFilterComparisonPrefix)}, []string{"rectify/sg/1", "rectify/sg/2"}},
		{"ComplianceStatus", types.AwsSecurityFindingFilters{ComplianceStatus: sf("FAILED", types.StringFilterComparisonEquals)}, []string{"rectify/sg/1", "rectify/s3/1"}},
		{"RecordState", types.AwsSecurityFindingFilters{RecordState: sf("ARCHIVED", types.StringFilterComparisonEquals)}, []string{"rectify/sg/2"}},
		{"WorkflowStatus", types.AwsSecurityFindingFilters{WorkflowStatus: sf("SUPPRESSED", types.StringFilterComparisonEquals)}, []string{"rectify/s3/1"}},
		{"ProductArn PREFIX", types.AwsSecurityFindingFilters{ProductArn: sf(product, types.StringFilterComparisonPrefix)}, []string{"rectify/sg/1", "rectify/sg/2", "rectify/s3/1"}},
		{"GeneratorId NOT_EQUALS", types.AwsSecurityFindingFilters{GeneratorId: sf("rectify/sg", types.StringFilterComparisonNotEquals)}, []string{"rectify/s3/1"}},
		{"ResourceId of any resource", types.AwsSecurityFindingFilters{ResourceId: sf("arn:aws:s3:::beta", types.StringFilterComparisonEquals)}, []string{"rectify/sg/2"}},
		{"positive filters on a field are ORed", types.AwsSecurityFindingFilters{Id: []types.StringFilter{
			{Value: aws.String("rectify/sg/1"), Comparison: types.StringFilterComparisonEquals},
			{Value: aws.String("rectify/s3/1"), Comparison: types.StringFilterComparisonEquals},
		}}, []string{"rectify/sg/1", "rectify/s3/1"}},
		{"fields are ANDed", types.AwsSecurityFindingFilters{
			GeneratorId:      sf("rectify/sg", types.StringFilterComparisonEquals),
			ComplianceStatus: sf("FAILED", types.StringFilterComparisonEquals),
		}, []string{"rectify/sg/1"}},
		{"nothing matches", types.AwsSecurityFindingFilters{Id: sf("nope", types.StringFilterComparisonEquals)}, nil},
		{"Id CONTAINS", types.AwsSecurityFindingFilters{Id: sf("s3", types.StringFilterComparisonContains)}, []string{"rectify/s3/1"}},
		{"Id NOT_CONTAINS", types.AwsSecurityFindingFilters{Id: sf("s3", types.StringFilterComparisonNotContains)}, []string{"rectify/sg/1", "rectify/sg/2"}},
		{"Id PREFIX_NOT_EQUALS", types.AwsSecurityFindingFilters{Id: sf("rectify/sg", types.StringFilterComparisonPrefixNotEquals)}, []string{"rectify/s3/1"}},
		{"Title CONTAINS_WORD", types.AwsSecurityFindingFilters{Title: sf("SSH", types.StringFilterComparisonContainsWord)}, []string{"rectify/sg/1", "rectify/sg/2", "rectify/s3/1"}},
		{"Title CONTAINS_WORD needs a whole word", types.AwsSecurityFindingFilters{Title: sf("SS", types.StringFilterComparisonContainsWord)}, nil},
		{"negative filters on a field are ANDed", types.AwsSecurityFindingFilters{Id: []types.StringFilter{
			{Value: aws.String("rectify/sg/1"), Comparison: types.StringFilterComparisonNotEquals},
			{Value: aws.String("rectify/s3/1"), Comparison: types.StringFilterComparisonNotEquals},
		}}, []string{"rectify/sg/2"}},
		{"SeverityLabel", types.AwsSecurityFindingFilters{SeverityLabel: sf("HIGH", types.StringFilterComparisonEquals)}, []string{"rectify/sg/1", "rectify/sg/2", "rectify/s3/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			for _, f := range getAll(t, client, &tt.filters) {
				ids = append(ids, aws.ToString(f.Id))
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Fatalf("ids = %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestSecurityHubPagination(t *testing.T) {
	_, client := newSecurityHub(t)
	findings := shFindings(DefaultAccount, DefaultRegion, 25)
	mustImport(t, client, findings...)
	p := securityhub.NewGetFindingsPaginator(client, &securityhub.GetFindingsInput{MaxResults: aws.Int32(7)})
	var sizes []int
	var ids []string
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Findings))
		for _, f := range page.Findings {
			ids = append(ids, aws.ToString(f.Id))
		}
	}
	if !reflect.DeepEqual(sizes, []int{7, 7, 7, 4}) {
		t.Fatalf("page sizes = %v", sizes)
	}
	for i, f := range findings {
		if ids[i] != aws.ToString(f.Id) {
			t.Fatalf("finding %d is %s, want %s (import order)", i, ids[i], aws.ToString(f.Id))
		}
	}
}

func TestSecurityHubSortCriteria(t *testing.T) {
	_, client := newSecurityHub(t)
	ctx := context.Background()
	mk := func(id string, score int32, updated string) types.AwsSecurityFinding {
		f := shTestFinding(DefaultAccount, DefaultRegion, id)
		f.Severity = &types.Severity{Normalized: aws.Int32(score)}
		f.UpdatedAt = aws.String(updated)
		return f
	}
	mustImport(t, client, mk("a", 9, "2026-03-03T00:00:00Z"), mk("b", 70, "2026-03-01T00:00:00Z"), mk("c", 40, "2026-03-02T00:00:00Z"))
	tests := []struct {
		criteria []types.SortCriterion
		want     []string
	}{
		{[]types.SortCriterion{{Field: aws.String("SeverityNormalized"), SortOrder: types.SortOrderDescending}}, []string{"b", "c", "a"}},
		{[]types.SortCriterion{{Field: aws.String("UpdatedAt"), SortOrder: types.SortOrderAscending}}, []string{"b", "c", "a"}},
		{[]types.SortCriterion{{Field: aws.String("Id"), SortOrder: types.SortOrderDescending}}, []string{"c", "b", "a"}},
	}
	for _, tt := range tests {
		out, err := client.GetFindings(ctx, &securityhub.GetFindingsInput{SortCriteria: tt.criteria})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range out.Findings {
			ids = append(ids, aws.ToString(f.Id))
		}
		if !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("sorted by %s %s: %v, want %v", aws.ToString(tt.criteria[0].Field), tt.criteria[0].SortOrder, ids, tt.want)
		}
	}
	_, err := client.GetFindings(ctx, &securityhub.GetFindingsInput{SortCriteria: []types.SortCriterion{{Field: aws.String("Id"), SortOrder: "sideways"}}})
	wantAPIError(t, err, "InvalidInputException")
}

func TestSecurityHubBatchUpdateFindings(t *testing.T) {
	c, client := newSecurityHub(t)
	ctx := context.Background()
	fs := shFindings(DefaultAccount, DefaultRegion, 2)
	mustImport(t, client, fs...)
	id := func(f types.AwsSecurityFinding) types.AwsSecurityFindingIdentifier {
		return types.AwsSecurityFindingIdentifier{Id: f.Id, ProductArn: f.ProductArn}
	}
	missing := types.AwsSecurityFindingIdentifier{Id: aws.String("missing"), ProductArn: fs[0].ProductArn}
	out, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{id(fs[0]), missing, id(fs[1]), id(fs[0])},
		Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatusNotified},
		Note:               &types.NoteUpdate{Text: aws.String("posted to #sec"), UpdatedBy: aws.String("rectify")},
		Severity:           &types.SeverityUpdate{Label: types.SeverityLabelCritical},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ProcessedFindings) != 2 || len(out.UnprocessedFindings) != 2 {
		t.Fatalf("processed %d, unprocessed %d; want 2, 2", len(out.ProcessedFindings), len(out.UnprocessedFindings))
	}
	codes := map[string]string{}
	for _, u := range out.UnprocessedFindings {
		codes[aws.ToString(u.FindingIdentifier.Id)] = aws.ToString(u.ErrorCode)
	}
	if codes["missing"] != "FindingNotFound" || codes[aws.ToString(fs[0].Id)] != "DuplicatedFindingIdentifier" {
		t.Fatalf("unprocessed = %v", codes)
	}
	for _, g := range getAll(t, client, nil) {
		if g.Workflow.Status != types.WorkflowStatusNotified || aws.ToString(g.Note.Text) != "posted to #sec" || aws.ToString(g.Note.UpdatedAt) == "" ||
			g.Severity.Label != types.SeverityLabelCritical || aws.ToInt32(g.Severity.Normalized) != 90 {
			t.Fatalf("updated finding = %+v %+v %+v", g.Workflow, g.Note, g.Severity)
		}
		if aws.ToString(g.UpdatedAt) != "2026-03-01T12:00:00Z" {
			t.Fatalf("BatchUpdateFindings changed UpdatedAt to %s", aws.ToString(g.UpdatedAt))
		}
	}
	// A score alone re-derives the label.
	if _, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{id(fs[1])},
		Severity:           &types.SeverityUpdate{Normalized: aws.Int32(45)},
	}); err != nil {
		t.Fatal(err)
	}
	if sev := c.Findings(DefaultAccount, DefaultRegion)[1]["Severity"].(map[string]any); sev["Label"] != "MEDIUM" || sev["Normalized"] != float64(45) {
		t.Fatalf("severity after a score update = %v", sev)
	}
	// A later import keeps the customer's severity.
	mustImport(t, client, fs[0])
	if got := c.Findings(DefaultAccount, DefaultRegion)[0]["Severity"].(map[string]any)["Label"]; got != "CRITICAL" {
		t.Fatalf("import overwrote a customer-set severity with %v", got)
	}
}

func TestSecurityHubErrors(t *testing.T) {
	c, cfg, clock := startCloudWithClock(t)
	client := securityhub.NewFromConfig(cfg, withoutValidation, func(o *securityhub.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	c.AddUser(DefaultAccount, "no-hub", "AKIAFAKENOHUB0000001", "secret", "securityhub:*")
	denied := securityhub.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKENOHUB0000001", "secret", ""))
	unknown := securityhub.NewFromConfig(sdkConfig(c.URL(), "AKIAFAKEUNKNOWN00001", "secret", ""))
	imp := func(client *securityhub.Client, fs ...types.AwsSecurityFinding) func() error {
		return func() error {
			_, err := client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: fs})
			return err
		}
	}
	get := func(in securityhub.GetFindingsInput) func() error {
		return func() error {
			_, err := client.GetFindings(ctx, &in)
			return err
		}
	}
	otherRegion := shTestFinding(DefaultAccount, "eu-west-1", "x")
	otherRegion.ProductArn = aws.String("arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default")

	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
		typed  any
	}{
		{"more than 100 findings", imp(client, shFindings(DefaultAccount, DefaultRegion, 101)...), "InvalidInputException", 400, new(*types.InvalidInputException)},
		{"finding of another account", imp(client, shTestFinding("999999999999", DefaultRegion, "x")), "AccessDeniedException", 403, nil},
		{"default product of another region", imp(client, otherRegion), "AccessDeniedException", 403, nil},
		{"principal denied", imp(denied, shTestFinding(DefaultAccount, DefaultRegion, "x")), "AccessDeniedException", 403, nil},
		{"unknown access key", imp(unknown, shTestFinding(DefaultAccount, DefaultRegion, "x")), "UnrecognizedClientException", 403, nil},
		{"filter not emulated", get(securityhub.GetFindingsInput{Filters: &types.AwsSecurityFindingFilters{
			CreatedAt: []types.DateFilter{{DateRange: &types.DateRange{Unit: types.DateRangeUnitDays, Value: aws.Int32(1)}}},
		}}), "InvalidInputException", 400, new(*types.InvalidInputException)},
		{"comparison unknown", get(securityhub.GetFindingsInput{Filters: &types.AwsSecurityFindingFilters{
			Id: []types.StringFilter{{Value: aws.String("x"), Comparison: "LIKE"}},
		}}), "InvalidInputException", 400, nil},
		{"forged NextToken", get(securityhub.GetFindingsInput{NextToken: aws.String("forged")}), "InvalidInputException", 400, nil},
		{"MaxResults over 100", get(securityhub.GetFindingsInput{MaxResults: aws.Int32(101)}), "InvalidInputException", 400, nil},
		{"update without identifiers", func() error {
			_, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{FindingIdentifiers: []types.AwsSecurityFindingIdentifier{},
				Workflow: &types.WorkflowUpdate{Status: types.WorkflowStatusResolved}})
			return err
		}, "InvalidInputException", 400, nil},
		{"update to an unknown workflow status", func() error {
			_, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String("x"), ProductArn: aws.String("y")}},
				Workflow:           &types.WorkflowUpdate{Status: "DONE"}})
			return err
		}, "InvalidInputException", 400, nil},
		{"note without author", func() error {
			_, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String("x"), ProductArn: aws.String("y")}},
				Note:               &types.NoteUpdate{Text: aws.String("t")}})
			return err
		}, "InvalidInputException", 400, nil},
		{"import quota exceeded", func() error {
			c.LimitImports(1, 2)
			defer c.LimitImports(0, 0)
			one := shTestFinding(DefaultAccount, DefaultRegion, "quota")
			for i := range 2 {
				if err := imp(client, one)(); err != nil {
					return fmt.Errorf("call %d within the burst: %w", i, err)
				}
			}
			err := imp(client, one)()
			clock.Advance(time.Second)
			if err2 := imp(client, one)(); err2 != nil {
				return fmt.Errorf("call after the bucket refilled: %w", err2)
			}
			return err
		}, "LimitExceededException", 429, new(*types.LimitExceededException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantAPIError(t, err, tt.code)
			var status interface{ HTTPStatusCode() int }
			if !errors.As(err, &status) || status.HTTPStatusCode() != tt.status {
				t.Fatalf("HTTP status of %v, want %d", err, tt.status)
			}
			if tt.typed != nil && !errors.As(err, tt.typed) {
				t.Fatalf("error %T does not match %T", err, tt.typed)
			}
		})
	}
	if _, err := client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: shFindings(DefaultAccount, DefaultRegion, 100)}); err != nil {
		t.Fatalf("exactly 100 findings: %v", err)
	}
}

func TestSecurityHubScopes(t *testing.T) {
	c, cfg := startCloud(t)
	east := securityhub.NewFromConfig(cfg)
	westCfg := cfg.Copy()
	westCfg.Region = "us-west-2"
	west := securityhub.NewFromConfig(westCfg)
	mustImport(t, west, shFindings(DefaultAccount, "us-west-2", 2)...)
	mustImport(t, east, shFindings(DefaultAccount, DefaultRegion, 1)...)
	if n := len(getAll(t, east, nil)); n != 1 {
		t.Fatalf("us-east-1 sees %d findings, want its 1", n)
	}
	if n := len(getAll(t, west, nil)); n != 2 {
		t.Fatalf("us-west-2 sees %d findings, want its 2", n)
	}
	if calls, n := c.ImportStats(DefaultAccount, "us-west-2"); calls != 1 || n != 2 {
		t.Fatalf("us-west-2 stats = %d, %d", calls, n)
	}
	if calls, n := c.ImportStats("000000000000", DefaultRegion); calls != 0 || n != 0 {
		t.Fatalf("stats of an unused account = %d, %d", calls, n)
	}
}

func TestSecurityHubCloudTrail(t *testing.T) {
	c, client := newSecurityHub(t)
	ctx := context.Background()
	tap := tapEvents(c)
	queue, err := c.CreateQueue(QueueSeed{Name: "events"})
	if err != nil {
		t.Fatal(err)
	}
	c.SetEventQueue(queue, nil)

	fs := shFindings(DefaultAccount, DefaultRegion, 3)
	mustImport(t, client, fs...)
	ev := tap.last(t, "BatchImportFindings")
	if ev["eventSource"] != "securityhub.amazonaws.com" || ev["requestParameters"].(map[string]any)["findingCount"] != float64(3) {
		t.Fatalf("BatchImportFindings event = %v", ev)
	}
	if resp := ev["responseElements"].(map[string]any); resp["successCount"] != float64(3) || resp["failedCount"] != float64(0) {
		t.Fatalf("responseElements = %v", resp)
	}
	if _, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: fs[0].Id, ProductArn: fs[0].ProductArn}},
		Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatusResolved},
	}); err != nil {
		t.Fatal(err)
	}
	upd := tap.last(t, "BatchUpdateFindings")
	if upd["requestParameters"].(map[string]any)["workflow"].(map[string]any)["status"] != "RESOLVED" {
		t.Fatalf("BatchUpdateFindings event = %v", upd)
	}
	// A refused call is recorded too, with its error code.
	_, err = client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: shFindings(DefaultAccount, DefaultRegion, 101)})
	wantAPIError(t, err, "InvalidInputException")
	if failed := tap.last(t, "BatchImportFindings"); failed["errorCode"] != "InvalidInputException" {
		t.Fatalf("failed import event = %v", failed)
	}
	getAll(t, client, nil)
	tap.mu.Lock()
	n := len(tap.events)
	tap.mu.Unlock()
	if n != 3 {
		t.Fatalf("%d CloudTrail events, want 3 (GetFindings is not recorded)", n)
	}
	// The default trail sources leave Security Hub off the event queue, so
	// rectify's own imports never come back to it as events.
	if visible, inFlight, _ := c.QueueDepth(queue); visible+inFlight != 0 || c.EventsEmitted() != 0 {
		t.Fatalf("Security Hub calls reached the event queue: depth %d, emitted %d", visible+inFlight, c.EventsEmitted())
	}
}

func TestSecurityHubBadInput(t *testing.T) {
	c, _ := newSecurityHub(t)
	tests := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{http.MethodPost, "/findings/import", `{not json`, 400, "InvalidInputException"},
		{http.MethodPost, "/findings/import", `{"Findings": "x"}`, 400, "InvalidInputException"},
		{http.MethodPost, "/findings/import", `{}`, 400, "InvalidInputException"},
		{http.MethodPost, "/findings", `{"Filters": {"Id": "x"}}`, 400, "InvalidInputException"},
		{http.MethodPost, "/findings", `{"Filters": {"Id": [{"Value": 1}]}}`, 400, "InvalidInputException"},
		{http.MethodPost, "/findings", `{"MaxResults": "ten"}`, 400, "InvalidInputException"},
		{http.MethodPatch, "/findings/batchupdate", `{"FindingIdentifiers": 5}`, 400, "InvalidInputException"},
		{http.MethodPatch, "/findings/batchupdate", `{"FindingIdentifiers": [{"Id":"a","ProductArn":"b"}], "Severity": {"Label": 7}}`, 400, "InvalidInputException"},
		{http.MethodPatch, "/findings/batchupdate", `{"FindingIdentifiers": [{"Id":"a","ProductArn":"b"}], "Confidence": 101}`, 400, "InvalidInputException"},
		{http.MethodGet, "/findings", ``, 404, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			status, header, body := rawCall(t, c.URL(), "securityhub", tt.method, tt.path, map[string]string{"Content-Type": "application/json"}, tt.body)
			if status != tt.status || header.Get("X-Amzn-ErrorType") != tt.code {
				t.Fatalf("status %d, X-Amzn-ErrorType %q, body %s; want %d %s", status, header.Get("X-Amzn-ErrorType"), body, tt.status, tt.code)
			}
		})
	}
	// Findings that are not objects fail one by one; the call succeeds.
	status, _, body := rawCall(t, c.URL(), "securityhub", http.MethodPost, "/findings/import", nil, `{"Findings": [1, null, "s", [], {}]}`)
	var out struct{ FailedCount, SuccessCount int }
	if err := json.Unmarshal(body, &out); status != 200 || err != nil || out.FailedCount != 5 || out.SuccessCount != 0 {
		t.Fatalf("status %d, body %s", status, body)
	}
}

// TestSecurityHubConcurrentImports imports overlapping findings from many
// goroutines while others read; run with -race.
func TestSecurityHubConcurrentImports(t *testing.T) {
	c, client := newSecurityHub(t)
	ctx := context.Background()
	fs := shFindings(DefaultAccount, DefaultRegion, 50)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range 5 {
				start := (w*5 + b) % 40
				if _, err := client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: fs[start : start+10]}); err != nil {
					t.Error(err)
				}
				if _, err := client.GetFindings(ctx, &securityhub.GetFindingsInput{}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if calls, n := c.ImportStats(DefaultAccount, DefaultRegion); calls != 40 || n != 400 {
		t.Fatalf("ImportStats = %d, %d; want 40, 400", calls, n)
	}
	if n := len(c.Findings(DefaultAccount, DefaultRegion)); n != 49 {
		t.Fatalf("%d distinct findings stored, want 49", n)
	}
}
