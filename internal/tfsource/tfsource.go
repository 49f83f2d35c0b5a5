// Package tfsource finds where a Terraform resource is written: it maps a
// resource address from a plan ("module.app.module.db[\"a\"].aws_db_instance.this[0]")
// to the resource block in the .tf files of a configuration, following
// module calls, so that `rectify check` can point code scanning at the line
// to change instead of into the plan JSON.
//
// Module calls are followed through .terraform/modules/modules.json when
// `terraform init` wrote it (registry and remote sources), else through
// local sources ("./modules/db"). A resource inside a module whose source
// is not on disk is located at its module block, the line the author of
// the configuration controls.
package tfsource

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/rectifyhq/rectify/internal/resource/plan"
	"github.com/zclconf/go-cty/cty"
)

// Location is where a block is written. File is the directory given to
// Load joined with the file's path inside it.
type Location struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	// Via is set when the resource's own block could not be read: the
	// module call ("module.app") the location points at instead.
	Via string `json:"via,omitempty"`
}

func (l Location) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// Index holds the blocks of one configuration.
type Index struct {
	// blocks maps a module path ("" or "module.a.module.b") and a
	// resource ("aws_s3_bucket.x", "data.aws_iam_policy.y", "module.c")
	// joined by "|" to its block.
	blocks map[string]Location
	// Skipped lists module calls whose source is not on disk.
	Skipped []string
}

// maxDepth bounds module nesting (a module that calls itself would never end).
const maxDepth = 32

var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
}}

var moduleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source"}}}

// Load reads the configuration rooted at dir: its .tf and .tf.json files
// and those of every module it calls.
func Load(dir string) (*Index, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("source dir: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("source dir %s: not a directory", dir)
	}
	manifest, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{blocks: map[string]Location{}}
	l := &loader{root: dir, manifest: manifest, parser: hclparse.NewParser(), ix: ix}
	n, err := l.module(".", "", "", 0)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("source dir %s: no .tf files", dir)
	}
	sort.Strings(ix.Skipped)
	return ix, nil
}

type loader struct {
	root     string
	manifest map[string]string // module key ("a.b") → dir relative to root
	parser   *hclparse.Parser
	ix       *Index
}

// module reads the files of one module (dir relative to root) at the
// given module path and key, and the modules it calls; it returns how many
// files it read.
func (l *loader) module(dir, path, key string, depth int) (int, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("source dir %s: modules nested deeper than %d at %s", l.root, maxDepth, path)
	}
	entries, err := os.ReadDir(filepath.Join(l.root, dir))
	if err != nil {
		return 0, fmt.Errorf("read module %s: %w", nonEmpty(path, "(root)"), err)
	}
	files := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")) {
			continue
		}
		files++
		rel := filepath.Join(dir, name)
		if err := l.file(rel, path, key, depth); err != nil {
			return 0, err
		}
	}
	return files, nil
}

func (l *loader) file(rel, path, key string, depth int) error {
	full := filepath.Join(l.root, rel)
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(rel, ".json") {
		f, diags = l.parser.ParseJSONFile(full)
	} else {
		f, diags = l.parser.ParseHCLFile(full)
	}
	if diags.HasErrors() {
		return fmt.Errorf("parse %s: %w", full, diags)
	}
	content, _, diags := f.Body.PartialContent(fileSchema)
	if diags.HasErrors() {
		return fmt.Errorf("read %s: %w", full, diags)
	}
	for _, b := range content.Blocks {
		loc := l.location(b.DefRange)
		switch b.Type {
		case "resource":
			l.ix.blocks[path+"|"+b.Labels[0]+"."+b.Labels[1]] = loc
		case "data":
			l.ix.blocks[path+"|data."+b.Labels[0]+"."+b.Labels[1]] = loc
		case "module":
			name := b.Labels[0]
			l.ix.blocks[path+"|module."+name] = loc
			if err := l.call(b, filepath.Dir(rel), join(path, "module."+name), joinKey(key, name), depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// call follows a module block to the module's files.
func (l *loader) call(b *hcl.Block, dir, path, key string, depth int) error {
	childDir, ok := l.manifest[key]
	if !ok {
		attrs, _, _ := b.Body.PartialContent(moduleSchema)
		if a, has := attrs.Attributes["source"]; has {
			if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				src := v.AsString()
				if strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") {
					childDir, ok = filepath.Join(dir, filepath.FromSlash(src)), true
				}
			}
		}
	}
	if ok {
		if _, err := os.Stat(filepath.Join(l.root, childDir)); err != nil {
			ok = false
		}
	}
	if !ok {
		l.ix.Skipped = append(l.ix.Skipped, path)
		return nil
	}
	_, err := l.module(childDir, path, key, depth+1)
	return err
}

func (l *loader) location(r hcl.Range) Location {
	return Location{
		File: filepath.ToSlash(r.Filename), // filepath.Join(root, file) as parsed
		Line: r.Start.Line, Column: r.Start.Column, EndLine: r.End.Line, EndColumn: r.End.Column,
	}
}

// readManifest reads .terraform/modules/modules.json, which `terraform
// init` writes: each module call's key and the directory it installed it
// in. A configuration never initialised has none.
func readManifest(dir string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, ".terraform", "modules", "modules.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("source dir: %w", err)
	}
	var m struct {
		Modules []struct{ Key, Dir string }
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("source dir %s: .terraform/modules/modules.json: %w", dir, err)
	}
	out := map[string]string{}
	for _, e := range m.Modules {
		if e.Key != "" {
			out[e.Key] = filepath.FromSlash(e.Dir)
		}
	}
	return out, nil
}

// Locate finds the block of a resource address. An address inside a module
// whose files could not be read is located at the innermost module call
// that could (Via names it).
func (ix *Index) Locate(address string) (Location, bool) {
	if ix == nil {
		return Location{}, false
	}
	modules, resource, ok := ConfigAddress(address)
	if !ok {
		return Location{}, false
	}
	if loc, ok := ix.blocks[strings.Join(modules, ".")+"|"+resource]; ok {
		return loc, true
	}
	for i := len(modules) - 1; i >= 0; i-- {
		parent := strings.Join(modules[:i], ".")
		if loc, ok := ix.blocks[parent+"|"+modules[i]]; ok {
			loc.Via = join(parent, modules[i])
			return loc, true
		}
	}
	return Location{}, false
}

// ConfigAddress splits a resource instance address into its module path
// ("module.a", "module.b") and resource ("aws_s3_bucket.x" or
// "data.aws_iam_policy.y"), without instance keys: the address of the
// block the instance was expanded from.
func ConfigAddress(address string) (modules []string, resource string, ok bool) {
	parts := strings.Split(plan.StripKeys(address), ".")
	for len(parts) >= 2 && parts[0] == "module" {
		modules = append(modules, "module."+parts[1])
		parts = parts[2:]
	}
	switch {
	case len(parts) == 3 && parts[0] == "data":
	case len(parts) == 2:
	default:
		return nil, "", false
	}
	for _, p := range parts {
		if p == "" {
			return nil, "", false
		}
	}
	return modules, strings.Join(parts, "."), true
}

func join(path, elem string) string {
	if path == "" {
		return elem
	}
	return path + "." + elem
}

func joinKey(key, name string) string {
	if key == "" {
		return name
	}
	return key + "." + name
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
