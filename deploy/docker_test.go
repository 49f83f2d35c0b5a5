package deploy

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd, args string
}

func dockerfile(t *testing.T) []instruction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur string
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur += trimmed
		cmd, args, _ := strings.Cut(cur, " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur = ""
	}
	return out
}

// No Docker engine runs here, so the image is never built in CI: this checks
// the Dockerfile's shape against what the chart and the binary expect.
func TestDockerfile(t *testing.T) {
	var stages [][]instruction
	args := map[string]string{}
	for _, in := range dockerfile(t) {
		switch {
		case in.cmd == "FROM":
			stages = append(stages, []instruction{in})
		case len(stages) == 0 && in.cmd == "ARG":
			k, v, _ := strings.Cut(in.args, "=")
			args[k] = v
		case len(stages) > 0:
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a builder and the final image", len(stages))
	}
	build, final := stages[0], stages[1]

	// The builder: the go.mod toolchain line, static, reproducible, versioned.
	if !strings.Contains(build[0].args, "golang:${GO_VERSION}") {
		t.Errorf("builder FROM %s, want golang:${GO_VERSION}", build[0].args)
	}
	goMod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(goMod)
	if goLine == nil || !strings.HasPrefix(args["GO_VERSION"], string(goLine[1])) {
		t.Errorf("ARG GO_VERSION=%s, want the go.mod release %s", args["GO_VERSION"], goLine[1])
	}
	text := func(stage []instruction, cmd string) string {
		var parts []string
		for _, in := range stage {
			if in.cmd == cmd {
				parts = append(parts, in.args)
			}
		}
		return strings.Join(parts, "\n")
	}
	if env := text(build, "ENV"); !strings.Contains(env, "CGO_ENABLED=0") || !strings.Contains(env, "GOTOOLCHAIN=local") {
		t.Errorf("builder ENV %q: want CGO_ENABLED=0 and GOTOOLCHAIN=local", env)
	}
	run := text(build, "RUN")
	for _, want := range []string{"go build", "-trimpath", "-s -w", "-X main.version=${VERSION}", "./cmd/rectify"} {
		if !strings.Contains(run, want) {
			t.Errorf("builder RUN lacks %q", want)
		}
	}
	if !hasVersionVar(t) {
		t.Error("cmd/rectify has no package-level `var version string` for -X main.version")
	}

	// The final image: distroless static, non-root, one binary.
	if final[0].args != "gcr.io/distroless/static:nonroot" {
		t.Errorf("final FROM %s, want gcr.io/distroless/static:nonroot", final[0].args)
	}
	if user := text(final, "USER"); user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("final USER %q, want a non-root user", user)
	}
	var entrypoint, cmd []string
	if err := json.Unmarshal([]byte(text(final, "ENTRYPOINT")), &entrypoint); err != nil || !slices.Equal(entrypoint, []string{"/rectify"}) {
		t.Errorf(`ENTRYPOINT %v (%v), want ["/rectify"] in exec form`, entrypoint, err)
	}
	if err := json.Unmarshal([]byte(text(final, "CMD")), &cmd); err != nil || !slices.Equal(cmd, []string{"worker"}) {
		t.Errorf(`CMD %v (%v), want ["worker"] in exec form`, cmd, err)
	}
	if copied := text(final, "COPY"); !strings.HasSuffix(copied, " /rectify") || !strings.HasPrefix(copied, "--from=build ") {
		t.Errorf("final COPY %q, want the built binary at /rectify", copied)
	}
	// The ports the chart uses by default (starter --listen, worker --metrics-listen).
	expose := strings.Fields(text(final, "EXPOSE"))
	for _, p := range []string{"8080", "9090"} {
		if !slices.Contains(expose, p) {
			t.Errorf("EXPOSE %v lacks %s", expose, p)
		}
	}
}

func hasVersionVar(t *testing.T) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), "cmd", "rectify", "*.go"))
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != "main" {
			continue
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				if slices.ContainsFunc(spec.(*ast.ValueSpec).Names, func(n *ast.Ident) bool { return n.Name == "version" }) {
					return true
				}
			}
		}
	}
	return false
}

// cliFlags are the flag names cmd/rectify defines (cmd.Flags().XxxVar(&v,
// "name", ...) and PersistentFlags), so the chart and compose cannot pass a
// flag the binary does not have.
func cliFlags(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), "cmd", "rectify", "*.go"))
	flags := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			inner, ok := sel.X.(*ast.CallExpr)
			if !ok {
				return true
			}
			if is, ok := inner.Fun.(*ast.SelectorExpr); !ok || (is.Sel.Name != "Flags" && is.Sel.Name != "PersistentFlags") {
				return true
			}
			for _, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					flags[strings.Trim(lit.Value, "`\"")] = true
					break
				}
			}
			return true
		})
	}
	if !flags["config"] {
		t.Fatalf("found no --config flag in cmd/rectify (got %v): the flag scan is broken", flags)
	}
	return flags
}

// checkArgs fails on a --flag the binary does not define.
func checkArgs(t *testing.T, at string, args []string, flags map[string]bool) {
	t.Helper()
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			if !flags[name] {
				t.Errorf("%s passes --%s, which cmd/rectify does not define", at, name)
			}
		}
	}
}

// .dockerignore keeps the context small (no .git, no binaries) without
// dropping a directory the binary is built from.
func TestDockerignore(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimSuffix(strings.TrimPrefix(l, "/"), "/"))
		}
	}
	for _, want := range []string{".git", "bin"} {
		if !slices.Contains(patterns, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "./cmd/rectify")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	needed := []string{"go.mod", "go.sum"}
	for _, dir := range strings.Fields(string(out)) {
		if rel, err := filepath.Rel(root, dir); err == nil && !strings.HasPrefix(rel, "..") {
			needed = append(needed, rel)
		}
	}
	for _, path := range needed {
		for _, p := range patterns {
			first, _, _ := strings.Cut(path, string(filepath.Separator))
			if ok, _ := filepath.Match(p, path); ok || p == first {
				t.Errorf(".dockerignore pattern %q excludes %s, which the build needs", p, path)
			}
		}
	}
}
