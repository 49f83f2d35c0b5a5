package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"

	rworker "github.com/rectifyhq/rectify/worker"
)

// TestReplayRecordedHistories replays histories recorded from real runs
// (internal/devstack, -record-histories) against today's workflow code. A
// change that would break running workflows in production fails here:
// guard it with workflow.GetVersion, or use worker versioning.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("want at least 3 recorded histories in testdata/histories, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if st, err := os.Stat(f); err != nil || st.Size() == 0 {
				t.Fatalf("history %s: %v", f, err)
			}
			r := worker.NewWorkflowReplayer()
			rworker.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
