package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"go.temporal.io/sdk/temporal"

	"github.com/rectifyhq/rectify/internal/awsclient"
	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/metrics"
	"github.com/rectifyhq/rectify/internal/resource"
	"github.com/rectifyhq/rectify/internal/service"
)

// FindingWriter records findings somewhere humans and other tools see them.
type FindingWriter interface {
	Write(ctx context.Context, f FindingInput, updatedAt time.Time) error
}

// RecordFinding writes the finding of a violation in its current status.
func (a *Activities) RecordFinding(ctx context.Context, in FindingInput) error {
	if a.Findings == nil {
		return nil
	}
	return a.Findings.Write(ctx, in, a.now())
}

// GeneratorID is the ASFF GeneratorId of a policy. The starter ignores
// Security Hub findings with this prefix: they are our own.
func GeneratorID(policyID string) string { return contract.GeneratorPrefix + policyID }

// ProductARN is the default product ARN of an account's own findings.
func ProductARN(region, account string) string {
	return fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", region, account, account)
}

// SecurityHub writes findings with BatchImportFindings, batching the
// writes of concurrent activities per account and region (see batcher): a
// batch is imported when it holds 100 findings (the API's limit), when no
// finding has joined it for Quiet, or MaxDelay after it opened
// (BatchImportFindings is rate-limited per account and region).
type SecurityHub struct {
	AWS *awsclient.Factory
	// Quiet is how long a batch waits for one more finding (default 100ms).
	Quiet time.Duration
	// MaxDelay caps how long the first finding of a batch waits (default
	// ten times Quiet).
	MaxDelay time.Duration
	Metrics  *metrics.Metrics
	// Links lead a person from a finding back to its workflow and to the
	// control's documentation.
	Links FindingLinks

	batches batcher[pendingFinding] // by account/region
}

// pendingFinding is one finding waiting for its batch, with the workflow
// status and note it must carry. Security Hub lets an import set them only
// when it creates the finding; afterwards they change through
// BatchUpdateFindings.
type pendingFinding struct {
	finding shtypes.AwsSecurityFinding
	update  findingUpdate
}

type findingUpdate struct {
	id, productARN string
	status         shtypes.WorkflowStatus
	note           string
}

// findingRefused is Security Hub's refusal of one finding of a batch.
type findingRefused struct{ id, msg string }

func (e *findingRefused) Error() string { return "Security Hub refused finding " + e.id + ": " + e.msg }

const maxImport = 100

// FindingLinks say where a finding's links point.
type FindingLinks struct {
	// TemporalUI and Namespace make SourceUrl, the violation's workflow
	// in the Temporal UI (none without a UI).
	TemporalUI, Namespace string
	// ControlsURL is the page of the controls, one "## <policy-id>"
	// heading each, for Remediation.Recommendation.Url.
	ControlsURL string
}

// Write adds the finding to the open batch of its account and region and
// waits for that batch to be imported.
func (s *SecurityHub) Write(ctx context.Context, f FindingInput, updatedAt time.Time) error {
	finding := asff(f, updatedAt, s.Links)
	p := pendingFinding{finding: finding, update: findingUpdate{
		id: aws.ToString(finding.Id), productARN: aws.ToString(finding.ProductArn), status: finding.Workflow.Status, note: findingNote(f),
	}}
	err := s.batches.add(ctx, limits(s.Quiet, s.MaxDelay, maxImport), f.Ref.Account+"/"+findingRegion(f.Ref), p, s.importBatch)
	var refused *findingRefused
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return temporal.NewNonRetryableApplicationError(refused.Error(), "InvalidFinding", nil)
	case ctx.Err() != nil:
		return err
	}
	return awserr.Wrap(ctx, "import findings", err)
}

// importBatch imports a batch no one can add to any more, then sets the
// workflow status and notes. Not the writers' contexts: the batch is
// shared. The longest wait (config.MaxFindingsBatchDelay) plus this stays
// inside the record activity's 30s start-to-close timeout.
func (s *SecurityHub) importBatch(key string, batch []pendingFinding) []error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	account, region, _ := strings.Cut(key, "/")
	client := s.AWS.SecurityHub(account, region)
	s.Metrics.FindingsBatch(len(batch))
	findings := make([]shtypes.AwsSecurityFinding, len(batch))
	for i, p := range batch {
		findings[i] = p.finding
	}
	errs := make([]error, len(batch))
	out, err := client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: findings})
	if err == nil {
		failed := map[string]string{}
		for _, f := range out.FailedFindings {
			failed[aws.ToString(f.Id)] = aws.ToString(f.ErrorCode) + ": " + aws.ToString(f.ErrorMessage)
		}
		err = s.update(ctx, client, batch, failed)
		for i, p := range batch {
			if msg, ok := failed[p.update.id]; ok {
				errs[i] = &findingRefused{id: p.update.id, msg: msg}
			}
		}
	}
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// update sets workflow status and note of the imported findings, one
// BatchUpdateFindings per distinct (status, note): statuses batch well,
// notes are mostly unique.
func (s *SecurityHub) update(ctx context.Context, client *securityhub.Client, batch []pendingFinding, failed map[string]string) error {
	type group struct {
		status shtypes.WorkflowStatus
		note   string
	}
	groups := map[group][]shtypes.AwsSecurityFindingIdentifier{}
	var order []group
	for _, p := range batch {
		u := p.update
		if _, refused := failed[u.id]; refused || (u.status == shtypes.WorkflowStatusNew && u.note == "") {
			continue
		}
		g := group{u.status, u.note}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], shtypes.AwsSecurityFindingIdentifier{Id: aws.String(u.id), ProductArn: aws.String(u.productARN)})
	}
	for _, g := range order {
		in := &securityhub.BatchUpdateFindingsInput{
			FindingIdentifiers: groups[g],
			Workflow:           &shtypes.WorkflowUpdate{Status: g.status},
		}
		if g.note != "" {
			in.Note = &shtypes.NoteUpdate{Text: aws.String(truncate(g.note, 512)), UpdatedBy: aws.String("rectify")}
		}
		out, err := client.BatchUpdateFindings(ctx, in)
		if err != nil {
			return err
		}
		for _, f := range out.UnprocessedFindings {
			failed[aws.ToString(f.FindingIdentifier.Id)] = aws.ToString(f.ErrorCode) + ": " + aws.ToString(f.ErrorMessage)
		}
	}
	return nil
}

// findingRegion is where a finding is imported: the resource's region, or
// the default region for global resources (S3 bucket ARNs carry none).
func findingRegion(ref resource.Ref) string {
	if ref.Region != "" {
		return ref.Region
	}
	return "us-east-1"
}

// asff builds the finding. Status maps onto ASFF fields: compliance FAILED
// until resolved, then PASSED with the record ARCHIVED. The finding leads
// back: SourceUrl to the workflow, the recommendation to the control's
// entry, and who decided in the note and ProductFields.
func asff(f FindingInput, updatedAt time.Time, links FindingLinks) shtypes.AwsSecurityFinding {
	region := findingRegion(f.Ref)
	compliance, record, workflow := shtypes.ComplianceStatusFailed, shtypes.RecordStateActive, shtypes.WorkflowStatusNew
	switch f.Status {
	case FindingNotified, FindingFailed:
		workflow = shtypes.WorkflowStatusNotified
	case FindingSuppressed:
		workflow = shtypes.WorkflowStatusSuppressed
	case FindingResolved:
		compliance, record, workflow = shtypes.ComplianceStatusPassed, shtypes.RecordStateArchived, shtypes.WorkflowStatusResolved
	}
	detected := f.DetectedAt
	if detected.IsZero() {
		detected = updatedAt
	}
	finding := shtypes.AwsSecurityFinding{
		SchemaVersion: aws.String("2018-10-08"),
		Id:            aws.String(contract.FindingID(f.PolicyID, f.Ref.ARN)),
		ProductArn:    aws.String(ProductARN(region, f.Ref.Account)),
		GeneratorId:   aws.String(GeneratorID(f.PolicyID)),
		AwsAccountId:  aws.String(f.Ref.Account),
		Types:         []string{"Software and Configuration Checks/Industry and Regulatory Standards"},
		CreatedAt:     aws.String(detected.UTC().Format(time.RFC3339Nano)),
		UpdatedAt:     aws.String(updatedAt.UTC().Format(time.RFC3339Nano)),
		Severity:      &shtypes.Severity{Label: severityLabel(f.Severity)},
		Title:         aws.String(truncate(f.Title, 256)),
		Description:   aws.String(truncate(nonEmpty(f.Description, f.Title), 1024)),
		Resources: []shtypes.Resource{{
			Type: aws.String(asffType(f.Ref.Type)), Id: aws.String(f.Ref.ARN),
			Region: aws.String(region), Partition: shtypes.PartitionAws,
		}},
		Compliance:  &shtypes.Compliance{Status: compliance, RelatedRequirements: f.Controls},
		RecordState: record,
		Workflow:    &shtypes.Workflow{Status: workflow},
		ProductFields: map[string]string{
			contract.GeneratorPrefix + "Status":     f.Status,
			contract.GeneratorPrefix + "WorkflowId": f.WorkflowID,
			contract.GeneratorPrefix + "PolicyId":   f.PolicyID,
			contract.GeneratorPrefix + "DecidedBy":  decider(f),
		},
		Remediation: &shtypes.Remediation{Recommendation: recommendation(f, links.ControlsURL)},
	}
	if f.Mode != "" {
		finding.ProductFields[contract.GeneratorPrefix+"Mode"] = f.Mode
	}
	if u := contract.WorkflowURL(links.TemporalUI, links.Namespace, f.WorkflowID); u != "" {
		finding.SourceUrl = aws.String(u)
	}
	if note := findingNote(f); note != "" {
		finding.Note = &shtypes.Note{Text: aws.String(truncate(note, 512)), UpdatedBy: aws.String("rectify"), UpdatedAt: finding.UpdatedAt}
	}
	return finding
}

// decider says who decided what happens to the violation: the person who
// approved or rejected it, the timeout action, or the mode when no person
// is asked ("policy mode enforce"). Until a decision it is "pending".
func decider(f FindingInput) string {
	switch {
	case f.DecidedBy == "timeout":
		return "approval timeout (policy default)"
	case f.DecidedBy != "":
		return f.DecidedBy
	case f.Status == FindingSuppressed:
		return "exemption"
	case f.Mode == string(contract.ModeEnforce) || f.Mode == string(contract.ModeNotify):
		return "policy mode " + f.Mode
	}
	return "pending"
}

// findingNote is the status note, ending with who decided once a person
// has: "remediated: revoked tcp/22 ... (approved by alice)".
func findingNote(f FindingInput) string {
	if f.DecidedBy == "" || f.DecidedBy == "timeout" || strings.Contains(f.Note, f.DecidedBy) {
		return f.Note
	}
	if f.Note == "" {
		return "decided by " + f.DecidedBy
	}
	return f.Note + " (decided by " + f.DecidedBy + ")"
}

// recommendation tells what fixes the violation and where the control is
// documented. ASFF caps Text at 512 characters.
func recommendation(f FindingInput, controlsURL string) *shtypes.Recommendation {
	text := f.Title
	if f.Planned != "" {
		text += ". rectify's fix: " + f.Planned
	}
	if len(f.Controls) > 0 {
		text += ". Controls: " + strings.Join(f.Controls, ", ")
	}
	rec := &shtypes.Recommendation{Text: aws.String(truncate(text, 512))}
	if u := contract.ControlURL(controlsURL, f.PolicyID); u != "" {
		rec.Url = aws.String(u)
	}
	return rec
}

func severityLabel(s string) shtypes.SeverityLabel {
	switch strings.ToUpper(s) {
	case "CRITICAL":
		return shtypes.SeverityLabelCritical
	case "HIGH":
		return shtypes.SeverityLabelHigh
	case "MEDIUM":
		return shtypes.SeverityLabelMedium
	case "LOW":
		return shtypes.SeverityLabelLow
	}
	return shtypes.SeverityLabelInformational
}

// FindingPermissions are the IAM actions RecordFinding calls, in the
// account of the resource.
var FindingPermissions = []string{"securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings"}

// MemberPermissions are every IAM action the worker calls in a target
// account through the remediation role, sorted: the kinds' reads, lists,
// tags and actions (the registry) and the findings. The member role in
// deploy/terraform grants exactly these; a test there compares them.
func MemberPermissions() []string {
	all := append(service.Registry.RequiredActions(), FindingPermissions...)
	slices.Sort(all)
	return slices.Compact(all)
}

// asffType is the Security Hub resource type of a Terraform type.
func asffType(t string) string {
	if k, ok := service.Registry.Kind(t); ok && k.ASFFType != "" {
		return k.ASFFType
	}
	return "Other"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
