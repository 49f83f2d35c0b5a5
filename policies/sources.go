package policies

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// builtin holds the Rego shipped in the binary. Add a top-level directory
// here when one appears (e.g. a shared "lib"); opa test already sees it.
//
//go:embed aws
var builtin embed.FS

// builtinName prefixes embedded files so that errors point at the repo path.
const builtinName = "policies"

// source is one Rego file. Name is what errors and Metadata.File show; Rel is
// the path inside its root, which the revision hashes so that the same
// policies mounted at another path keep the same revision.
type source struct {
	Name string
	Rel  string
	Text []byte
}

// root is one place policies come from: the embedded tree or a WithDir.
type root struct {
	fsys fs.FS
	name func(rel string) string
}

func builtinRoot() root {
	return root{fsys: builtin, name: func(rel string) string { return path.Join(builtinName, rel) }}
}

func dirRoot(dir string) root {
	return root{fsys: os.DirFS(dir), name: func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }}
}

func isTestFile(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// readSources returns the .rego files under r sorted by path. Test files are
// left out of the bundle unless withTests is set (the Go test runs them).
// Other files (JSON fixtures, READMEs) are ignored.
func readSources(r root, withTests bool) ([]source, error) {
	var out []source
	err := fs.WalkDir(r.fsys, ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read policy dir %s: %w", r.name(rel), err)
		}
		if d.IsDir() || !strings.HasSuffix(rel, ".rego") || (isTestFile(rel) && !withTests) {
			return nil
		}
		text, err := fs.ReadFile(r.fsys, rel)
		if err != nil {
			return fmt.Errorf("read policy %s: %w", r.name(rel), err)
		}
		out = append(out, source{Name: r.name(rel), Rel: rel, Text: text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rel < out[j].Rel })
	return out, nil
}

// revision hashes every compiled source, root by root in load order, so it
// changes exactly when the policies that judge a resource change.
func revision(roots [][]source) string {
	h := sha256.New()
	for i, srcs := range roots {
		fmt.Fprintf(h, "root %d\x00", i)
		for _, s := range srcs {
			fmt.Fprintf(h, "%s\x00%d\x00", s.Rel, len(s.Text))
			h.Write(s.Text)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:revisionLen]
}

// revisionLen hex digits (48 bits) are plenty to tell bundles apart in logs,
// findings and Slack messages while staying readable.
const revisionLen = 12
