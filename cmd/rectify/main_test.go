package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/policies"
)

// `rectify version` names the commit and build date the Makefile stamps,
// and the revision of the policy bundle compiled in.
func TestVersion(t *testing.T) {
	old := [3]string{version, commit, date}
	t.Cleanup(func() { version, commit, date = old[0], old[1], old[2] })
	version, commit, date = "v1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-12-01T10:00:00Z"
	set, err := policies.Load()
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "version")
	for _, want := range []string{"rectify v1.2.3", "commit    0123456789abcdef0123456789abcdef01234567", "built     2026-12-01T10:00:00Z",
		"policies  revision " + set.Revision() + fmt.Sprintf(" (%d controls)", len(set.IDs()))} {
		if !strings.Contains(out, want) {
			t.Errorf("version lacks %q:\n%s", want, out)
		}
	}
	var b buildInfo
	if err := json.Unmarshal([]byte(mustRun(t, "version", "--json")), &b); err != nil || b.Commit != commit || b.Policies != set.Revision() {
		t.Errorf("version --json = %+v (%v)", b, err)
	}
	// Without a stamp it says so, rather than printing nothing.
	commit, date = "", ""
	if out := mustRun(t, "version"); !strings.Contains(out, "commit    ") || strings.Contains(out, "commit    \n") {
		t.Errorf("unstamped version:\n%s", out)
	}
}
