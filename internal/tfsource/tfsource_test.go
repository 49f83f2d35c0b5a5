package tfsource

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sources is a real configuration whose plan is plans/sources.json.
const sources = "../resource/plan/testdata/tf/plans.sources"

func TestLocateRealConfiguration(t *testing.T) {
	ix, err := Load(sources)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		address, file string
		line          int
	}{
		{"aws_s3_bucket.assets", "main.tf", 6},
		{"aws_s3_bucket_policy.assets", "main.tf", 10},
		{"aws_s3_bucket.logs[1]", "main.tf", 26},
		{"aws_security_group.bastion", "security.tf", 1},
		{"aws_vpc_security_group_ingress_rule.lab_ssh", "security.tf", 26},
		{"module.network.aws_security_group.web", "modules/network/main.tf", 1},
		{`module.network.module.db["billing"].aws_db_instance.this`, "modules/network/modules/db/main.tf", 3},
		{`module.network.module.db["a.b]"].aws_db_instance.this`, "modules/network/modules/db/main.tf", 3},
	}
	for _, tt := range tests {
		loc, ok := ix.Locate(tt.address)
		want := filepath.ToSlash(filepath.Join(sources, tt.file))
		if !ok || loc.File != want || loc.Line != tt.line || loc.Via != "" {
			t.Errorf("Locate(%s) = %+v, %v; want %s:%d", tt.address, loc, ok, want, tt.line)
		}
	}
	// The block's first line is the resource header.
	loc, _ := ix.Locate("aws_security_group.bastion")
	text, err := os.ReadFile(filepath.FromSlash(loc.File))
	if err != nil {
		t.Fatal(err)
	}
	if line := strings.Split(string(text), "\n")[loc.Line-1]; !strings.HasPrefix(line, `resource "aws_security_group" "bastion"`) {
		t.Errorf("line %d is %q", loc.Line, line)
	}
	for _, missing := range []string{"aws_s3_bucket.nope", "module.nope.aws_s3_bucket.x", "not an address"} {
		if loc, ok := ix.Locate(missing); ok {
			t.Errorf("Locate(%s) = %+v", missing, loc)
		}
	}
}

// TestModules: a registry module is found through the manifest `terraform
// init` writes; without it, its resources point at the module block.
func TestModules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", "module \"s3\" {\n  source  = \"terraform-aws-modules/s3-bucket/aws\"\n  version = \"4.1.0\"\n}\n")
	write(".terraform/modules/s3/main.tf", "\n\nresource \"aws_s3_bucket\" \"this\" {\n  count = 1\n}\n")

	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loc, ok := ix.Locate("module.s3.aws_s3_bucket.this[0]"); !ok || loc.Via != "module.s3" || loc.Line != 1 || !strings.HasSuffix(loc.File, "/main.tf") {
		t.Errorf("without a manifest: %+v, %v; want the module block", loc, ok)
	}
	if !slices.Equal(ix.Skipped, []string{"module.s3"}) {
		t.Errorf("skipped = %v", ix.Skipped)
	}

	write(".terraform/modules/modules.json", `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"s3","Source":"registry.terraform.io/terraform-aws-modules/s3-bucket/aws","Version":"4.1.0","Dir":".terraform/modules/s3"}]}`)
	if ix, err = Load(dir); err != nil {
		t.Fatal(err)
	}
	if loc, ok := ix.Locate("module.s3.aws_s3_bucket.this[0]"); !ok || loc.Via != "" || loc.Line != 3 || !strings.HasSuffix(loc.File, ".terraform/modules/s3/main.tf") {
		t.Errorf("with the manifest: %+v, %v", loc, ok)
	}

	write("broken.tf", "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n}\n")
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "broken.tf:2") {
		t.Errorf("a syntax error: %v; want the file and line", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .tf files") {
		t.Errorf("an empty dir: %v", err)
	}
}
