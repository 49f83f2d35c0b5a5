package deploy

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/contract"
)

const composeDir = "compose"

// composeFile is the part of the Compose specification compose.yaml uses,
// in its long forms (depends_on and environment as maps, build as an
// object). It is decoded strictly, so a misspelt key fails; a new key needs
// a field here.
type composeFile struct {
	Name     string                    `json:"name"`
	Services map[string]composeService `json:"services"`
	Volumes  map[string]any            `json:"volumes"`
}

type composeService struct {
	Image       string                       `json:"image"`
	Build       *composeBuild                `json:"build"`
	Command     []string                     `json:"command"`
	Entrypoint  []string                     `json:"entrypoint"`
	DependsOn   map[string]composeDependency `json:"depends_on"`
	Environment map[string]string            `json:"environment"`
	Volumes     []string                     `json:"volumes"`
	Ports       []string                     `json:"ports"`
	Healthcheck *composeHealthcheck          `json:"healthcheck"`
	ReadOnly    bool                         `json:"read_only"`
	Tmpfs       []string                     `json:"tmpfs"`
	SecurityOpt []string                     `json:"security_opt"`
	CapDrop     []string                     `json:"cap_drop"`
	Restart     string                       `json:"restart"`
}

type composeBuild struct {
	Context    string            `json:"context"`
	Dockerfile string            `json:"dockerfile"`
	Args       map[string]string `json:"args"`
}

type composeDependency struct {
	Condition string `json:"condition"`
}

type composeHealthcheck struct {
	Test        []string `json:"test"`
	Interval    string   `json:"interval"`
	Timeout     string   `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod string   `json:"start_period"`
	Disable     bool     `json:"disable"`
}

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error};
// $${...} is an escaped dollar for the container's shell.
var composeVar = regexp.MustCompile(`(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}`)

// No Docker engine runs here, so compose.yaml is never started in CI: this
// checks its structure, references and the config it mounts.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(composeDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, want := range []string{"postgresql", "temporal", "temporal-ui", "worker", "starter"} {
		if _, ok := f.Services[want]; !ok {
			t.Errorf("compose.yaml has no %s service", want)
		}
	}

	// Variables: each one used is documented in .env.example, with nothing
	// stale there; each has a default or says it is required.
	documented := envExample(t)
	used := map[string]bool{}
	for _, m := range composeVar.FindAllStringSubmatch(string(raw), -1) {
		if m[1] == "$" {
			continue // $${...}: the container's shell expands it
		}
		name, op := m[2], m[3]
		used[name] = true
		if _, ok := documented[name]; !ok {
			t.Errorf("compose.yaml uses ${%s}, which .env.example does not list", name)
		}
		if op == "" {
			t.Errorf("${%s} has no default (:-) and is not marked required (:?)", name)
		}
	}
	for name := range documented {
		if !used[name] {
			t.Errorf(".env.example lists %s, which compose.yaml does not use", name)
		}
	}

	hostPorts := map[string]string{}
	for name, s := range f.Services {
		switch {
		case s.Image == "" && s.Build == nil:
			t.Errorf("service %s has neither image nor build", name)
		case s.Build != nil:
			dockerfile := filepath.Join(composeDir, s.Build.Context, s.Build.Dockerfile)
			if s.Build.Dockerfile == "" {
				dockerfile = filepath.Join(composeDir, s.Build.Context, "Dockerfile")
			}
			if _, err := os.Stat(dockerfile); err != nil {
				t.Errorf("service %s builds from %s: %v", name, dockerfile, err)
			}
		}
		for dep, d := range s.DependsOn {
			target, ok := f.Services[dep]
			switch {
			case !ok:
				t.Errorf("service %s depends on %s, which is not defined", name, dep)
			case d.Condition == "service_healthy" && (target.Healthcheck == nil || target.Healthcheck.Disable || len(target.Healthcheck.Test) == 0):
				t.Errorf("service %s waits for %s to be healthy, which has no health check", name, dep)
			case d.Condition == "service_completed_successfully" && target.Restart != "no":
				t.Errorf("service %s waits for %s to complete, which restarts (restart: %q)", name, dep, target.Restart)
			case !slices.Contains([]string{"service_started", "service_healthy", "service_completed_successfully"}, d.Condition):
				t.Errorf("service %s depends on %s with condition %q", name, dep, d.Condition)
			}
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if _, err := os.Stat(filepath.Join(composeDir, src)); err != nil {
					t.Errorf("service %s mounts %s: %v", name, src, err)
				}
			} else if _, ok := f.Volumes[src]; !ok {
				t.Errorf("service %s mounts volume %s, which is not declared", name, src)
			}
		}
		for _, p := range s.Ports {
			host, _, _ := strings.Cut(p, ":")
			if other, ok := hostPorts[host]; ok {
				t.Errorf("services %s and %s both publish host port %s", name, other, host)
			}
			hostPorts[host] = name
		}
	}

	// Temporal on PostgreSQL, with the search attributes the workflows upsert.
	temporal := f.Services["temporal"]
	if temporal.Environment["DB"] != "postgres12" {
		t.Errorf("temporal DB = %q, want postgres12", temporal.Environment["DB"])
	}
	if _, ok := f.Services[temporal.Environment["POSTGRES_SEEDS"]]; !ok {
		t.Errorf("temporal POSTGRES_SEEDS = %q names no service", temporal.Environment["POSTGRES_SEEDS"])
	}
	setup := strings.Join(f.Services["temporal-setup"].Command, " ")
	for _, sa := range contract.SearchAttributes {
		if !strings.Contains(setup, sa.GetName()) {
			t.Errorf("temporal-setup does not create search attribute %s (workflows.SearchAttributes)", sa.GetName())
		}
	}

	// The worker and the starter: the right command, and a config that
	// loads with their environment.
	for _, name := range []string{"worker", "starter"} {
		s := f.Services[name]
		if len(s.Command) == 0 || s.Command[0] != name {
			t.Errorf("service %s runs %v", name, s.Command)
		}
		checkArgs(t, "service "+name, s.Command, cliFlags(t))
		if !s.ReadOnly || !slices.Equal(s.CapDrop, []string{"ALL"}) {
			t.Errorf("service %s: want read_only and cap_drop ALL", name)
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			env[k] = composeVar.ReplaceAllStringFunc(v, func(ref string) string {
				m := composeVar.FindStringSubmatch(ref)
				switch m[3] {
				case ":-", "-":
					return m[4]
				default:
					// A required variable the operator sets: a value of
					// its kind, since the config checks URLs.
					if strings.HasSuffix(m[2], "_URL") {
						return "https://sqs.us-east-1.amazonaws.com/111111111111/test-" + strings.ToLower(m[2])
					}
					return "test-" + strings.ToLower(m[2])
				}
			})
		}
		path := env["RECTIFY_CONFIG"]
		var mounted string
		for _, v := range s.Volumes {
			parts := strings.Split(v, ":")
			if len(parts) >= 2 && parts[1] == path {
				mounted = filepath.Join(composeDir, parts[0])
			}
		}
		if mounted == "" {
			t.Errorf("service %s: nothing is mounted at RECTIFY_CONFIG=%q", name, path)
			continue
		}
		for _, n := range config.EnvNames() {
			t.Setenv(n, env[n])
		}
		if _, err := config.Load(mounted); err != nil {
			t.Errorf("service %s: %v", name, err)
		}
	}
}

// envExample reads deploy/compose/.env.example: NAME=value lines.
func envExample(t *testing.T) map[string]string {
	t.Helper()
	file, err := os.Open(filepath.Join(composeDir, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf(".env.example: %q is not NAME=value", line)
			continue
		}
		out[k] = v
	}
	return out
}
