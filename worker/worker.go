// Package worker builds the Temporal worker that runs rectify's workflows
// and activities. It holds no business logic: it wires and registers.
package worker

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/rectifyhq/rectify/activities"
	"github.com/rectifyhq/rectify/workflows"
)

// Options tunes the worker; zero values take the SDK defaults.
type Options struct {
	MaxConcurrentActivities int
	MaxConcurrentWorkflows  int
}

// New returns a worker on taskQueue with every workflow and activity of
// rectify registered. Start it with Run or Start.
func New(c client.Client, taskQueue string, acts *activities.Activities, opts Options) worker.Worker {
	w := worker.New(c, taskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize:     opts.MaxConcurrentActivities,
		MaxConcurrentWorkflowTaskExecutionSize: opts.MaxConcurrentWorkflows,
	})
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
	r.RegisterWorkflowWithOptions(workflows.Evaluate, workflow.RegisterOptions{Name: workflows.EvaluateWorkflow})
	r.RegisterWorkflowWithOptions(workflows.Remediation, workflow.RegisterOptions{Name: workflows.RemediationWorkflow})
	r.RegisterWorkflowWithOptions(workflows.Sweep, workflow.RegisterOptions{Name: workflows.SweepWorkflow})
}
