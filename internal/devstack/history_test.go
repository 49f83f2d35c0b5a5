package devstack

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordHistories, when set, makes the tests that run real scenarios save
// the workflow histories they produced as replay fixtures:
//
//	go test ./internal/devstack -run TestDemo -record-histories
var recordHistories = flag.Bool("record-histories", false, "write workflow histories to workflows/testdata/histories")

// saveHistory writes one workflow's full history in the JSON form the
// Temporal CLI and the SDK's replayer read.
func saveHistory(t *testing.T, workflowID, name string) {
	t.Helper()
	if !*recordHistories {
		return
	}
	ctx := context.Background()
	iter := temporalServer.Client.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "workflows", "testdata", "histories", strings.ReplaceAll(name, "/", "_")+".json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of %s to %s", len(h.Events), workflowID, path)
}
