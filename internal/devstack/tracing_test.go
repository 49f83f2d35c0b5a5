package devstack

import (
	"context"
	"slices"
	"testing"

	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/rectifyhq/rectify/internal/contract"
	"go.opentelemetry.io/otel/trace"
)

// TestOneTracePerViolation: the event's span, both workflows and every
// activity of the fix share one trace, so a tracing UI shows the whole path
// of a violation from the queue to the verified fix.
func TestOneTracePerViolation(t *testing.T) {
	ctx := context.Background()
	s := newStack(t, nil)
	s.openSSH(ctx)
	s.waitState(contract.RemediationID(PolicySGAdminPorts, s.sg.ARN), contract.StateResolved)
	// The state leads its finding: the trace is whole once RESOLVED is written.
	s.finding(ctx, PolicySGAdminPorts, s.sg, shtypes.WorkflowStatusResolved)

	spans := s.spans.GetSpans()
	var traceID trace.TraceID
	for _, sp := range spans {
		for _, a := range sp.Attributes {
			if sp.Name == "rectify.event" && string(a.Key) == "rectify.resource" && a.Value.AsString() == s.sg.ARN {
				traceID = sp.SpanContext.TraceID()
			}
		}
	}
	if !traceID.IsValid() {
		var all []string
		for _, sp := range spans {
			all = append(all, sp.Name)
		}
		t.Fatalf("no rectify.event span for %s among %d spans: %v", s.sg.ARN, len(spans), all)
	}
	var names []string
	for _, sp := range spans {
		if sp.SpanContext.TraceID() == traceID {
			names = append(names, sp.Name)
		}
	}
	for _, want := range []string{
		"rectify.event",
		"SignalWithStartWorkflow:Evaluate",
		"RunWorkflow:Evaluate",
		"RunActivity:EvaluateResource",
		"RunActivity:Dispatch",
		"SignalWithStartWorkflow:Remediation",
		// RunWorkflow:Remediation ends only with the watch window; its
		// activities below are its children, in this trace.
		"RunActivity:Snapshot",
		"RunActivity:Apply",
		"RunActivity:VerifyPolicy",
		"RunActivity:RecordFinding",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("trace %s lacks span %s; it has %v", traceID, want, names)
		}
	}
}
