// Package worker builds the Temporal worker that runs rectify's workflows
// and activities. It holds no business logic: it wires and registers.
package worker

import (
	"cmp"
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/workflows"
)

// Options tunes the worker; zero values take rectify's defaults (the SDK's,
// but for WorkflowTaskPollers).
type Options struct {
	MaxConcurrentActivities int
	MaxConcurrentWorkflows  int
	// WorkflowTaskPollers is how many workflow-task polls the worker keeps
	// open (default DefaultWorkflowTaskPollers).
	WorkflowTaskPollers int
	// Identity names the worker to Temporal (default the SDK's); Health
	// looks for it among the task queue's pollers.
	Identity string
}

// DefaultWorkflowTaskPollers replaces the SDK's 2. Every violation is about
// a dozen workflow tasks (Evaluate, then one per step of Remediation); with
// 2 polls open most of a burst's tasks found no waiting poller, so the
// server wrote them to its task backlog and read them back (CreateTasks and
// GetTasks in its persistence metrics, 6-8 per violation at 200 concurrent
// violations, about 5 with 8 pollers), and a worker kept waiting for work
// it had the slots to run.
const DefaultWorkflowTaskPollers = 8

// SDKOptions are the SDK worker options New uses, for anything that must
// run like rectify's worker (the benchmark's no-op ceiling).
func SDKOptions(opts Options) worker.Options {
	return worker.Options{
		MaxConcurrentActivityExecutionSize:     opts.MaxConcurrentActivities,
		MaxConcurrentWorkflowTaskExecutionSize: opts.MaxConcurrentWorkflows,
		MaxConcurrentWorkflowTaskPollers:       cmp.Or(opts.WorkflowTaskPollers, DefaultWorkflowTaskPollers),
		Identity:                               opts.Identity,
	}
}

// New returns a worker on taskQueue with every workflow and activity of
// rectify registered. Start it with Run or Start. Its activities run under
// activities.Context, which carries the settings the activities' free helpers
// read (the auth grace).
func New(c client.Client, taskQueue string, acts *activities.Activities, opts Options) worker.Worker {
	wo := SDKOptions(opts)
	wo.BackgroundActivityContext = activities.Context(context.Background(), acts)
	w := worker.New(c, taskQueue, wo)
	Register(w, acts)
	return w
}

// Register puts rectify's workflows and activities on any registry, so
// tests (testsuite environments, replayers) register exactly what
// production runs.
func Register(r worker.Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivity(acts)
}

// RegisterWorkflows registers the workflows only, for replayers.
func RegisterWorkflows(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.Evaluate, workflow.RegisterOptions{Name: contract.EvaluateWorkflow})
	r.RegisterWorkflowWithOptions(workflows.Remediation, workflow.RegisterOptions{Name: contract.RemediationWorkflow})
	r.RegisterWorkflowWithOptions(workflows.Sweep, workflow.RegisterOptions{Name: contract.SweepWorkflow})
	r.RegisterWorkflowWithOptions(workflows.Accounts, workflow.RegisterOptions{Name: contract.AccountsWorkflow})
}
