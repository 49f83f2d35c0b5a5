package controls_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rectifyhq/rectify/internal/controls"
	"github.com/rectifyhq/rectify/internal/service"
	"github.com/rectifyhq/rectify/policies"
)

func catalogue(t *testing.T) []controls.Control {
	t.Helper()
	set, err := policies.Load()
	if err != nil {
		t.Fatal(err)
	}
	return controls.List(set, service.Registry, service.Plan)
}

// docs/controls.md is what `rectify controls --format markdown` prints
// today; regenerate it with that command when this fails.
func TestControlsDocIsFresh(t *testing.T) {
	var b bytes.Buffer
	if err := controls.Write(&b, catalogue(t), "markdown"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "controls.md")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: generate it with `rectify controls --format markdown > docs/controls.md`", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is stale: regenerate it with `rectify controls --format markdown > docs/controls.md`", path)
	}
}

// Every entry is derived, not written: each action a policy names is in
// the registry with permissions, each live type is readable, and the JSON
// carries the fields the issue lists.
func TestCatalogue(t *testing.T) {
	cs := catalogue(t)
	if len(cs) == 0 {
		t.Fatal("no controls")
	}
	for _, c := range cs {
		if c.Action != "" && (len(c.Permissions) == 0 || c.Undo == "") {
			t.Errorf("%s: action %s without permissions or undo kind", c.ID, c.Action)
		}
		if !slices.Contains(c.Planes, "live") {
			t.Errorf("%s: no live plane (no kind reads %s)", c.ID, c.ResourceType)
		}
		if len(c.Controls) == 0 {
			t.Errorf("%s: names no FSBP or CIS id", c.ID)
		}
	}
	b, err := json.Marshal(cs[0])
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"id", "title", "severity", "controls", "resource_type", "planes", "action", "default_mode", "undo", "permissions"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("JSON has no %q field", f)
		}
	}
}

func TestAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"aws.ec2.sg_public_admin_ports": "awsec2sg_public_admin_ports",
		"aws.iam.password-policy":       "awsiampassword-policy",
	} {
		if got := controls.Anchor(in); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", in, got, want)
		}
	}
}
