package deploy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/rectifyhq/rectify/internal/config"
	"github.com/rectifyhq/rectify/internal/health"
)

const (
	chartDir    = "helm/rectify"
	release     = "rectify"
	namespace   = "rectify"
	kubeVersion = "1.31.0"
)

// helm returns bin/helm, failing (not skipping) when it is missing: `make
// test` builds it first.
func helm(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HELM"); p != "" {
		return p
	}
	p := filepath.Join(repoRoot(t), "bin", "helm")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make bin/helm` (make test builds it) or set HELM to a helm v3 binary", p)
	}
	return p
}

// runHelm runs helm with its state in a temporary directory.
func runHelm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helm(t), args...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config", "HELM_DATA_HOME="+home+"/data")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// rendered are the objects of one helm template run, decoded strictly.
type rendered struct {
	deployments     map[string]*appsv1.Deployment
	services        map[string]*corev1.Service
	configMaps      map[string]*corev1.ConfigMap
	serviceAccounts map[string]*corev1.ServiceAccount
	pdbs            map[string]*policyv1.PodDisruptionBudget
	hpas            map[string]*autoscalingv2.HorizontalPodAutoscaler
	serviceMonitors map[string]map[string]any
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// decodeManifests splits a multi-document YAML stream and decodes every
// document strictly into its Kubernetes API type: an unknown or misspelt
// field, a duplicate key or a wrong type is an error. A kind without a type
// here is an error too.
func decodeManifests(t *testing.T, out string) (*rendered, error) {
	t.Helper()
	r := &rendered{
		deployments: map[string]*appsv1.Deployment{}, services: map[string]*corev1.Service{},
		configMaps: map[string]*corev1.ConfigMap{}, serviceAccounts: map[string]*corev1.ServiceAccount{},
		pdbs: map[string]*policyv1.PodDisruptionBudget{}, hpas: map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		serviceMonitors: map[string]map[string]any{},
	}
	for i, doc := range docSeparator.Split(out, -1) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return nil, fmt.Errorf("document %d: %v", i, err)
		}
		if head.Kind == "" && strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		at := fmt.Sprintf("document %d (%s %s %s)", i, head.APIVersion, head.Kind, head.Metadata.Name)
		var obj any
		switch head.APIVersion + " " + head.Kind {
		case "apps/v1 Deployment":
			d := &appsv1.Deployment{}
			r.deployments[head.Metadata.Name], obj = d, d
		case "v1 Service":
			s := &corev1.Service{}
			r.services[head.Metadata.Name], obj = s, s
		case "v1 ConfigMap":
			c := &corev1.ConfigMap{}
			r.configMaps[head.Metadata.Name], obj = c, c
		case "v1 ServiceAccount":
			s := &corev1.ServiceAccount{}
			r.serviceAccounts[head.Metadata.Name], obj = s, s
		case "policy/v1 PodDisruptionBudget":
			p := &policyv1.PodDisruptionBudget{}
			r.pdbs[head.Metadata.Name], obj = p, p
		case "autoscaling/v2 HorizontalPodAutoscaler":
			h := &autoscalingv2.HorizontalPodAutoscaler{}
			r.hpas[head.Metadata.Name], obj = h, h
		case "monitoring.coreos.com/v1 ServiceMonitor":
			m := map[string]any{}
			r.serviceMonitors[head.Metadata.Name], obj = m, &m
		default:
			return nil, fmt.Errorf("%s: no Kubernetes type to check this kind against; add one to decodeManifests", at)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			return nil, fmt.Errorf("%s: %v", at, err)
		}
	}
	return r, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func renderChart(t *testing.T, chart string, args ...string) *rendered {
	t.Helper()
	out, err := runHelm(t, append([]string{"template", release, chart, "--namespace", namespace, "--kube-version", kubeVersion}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeManifests(t, out)
	if err != nil {
		t.Fatalf("%v\n--- rendered:\n%s", err, out)
	}
	return r
}

// The chart lints and renders with each values file, every object decodes
// strictly into its API type, and the rendered objects fit together.
func TestHelmChartRendersStrictly(t *testing.T) {
	valuesFiles := []string{"", "ci/slack-values.yaml", "ci/servicemonitor-values.yaml", "ci/resources-values.yaml"}
	ci, _ := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	if len(ci) != len(valuesFiles)-1 {
		t.Errorf("%s/ci has %d values files; list them all here", chartDir, len(ci))
	}
	for _, vf := range valuesFiles {
		name := vf
		if name == "" {
			name = "default"
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			var args []string
			if vf != "" {
				args = []string{"--values", filepath.Join(chartDir, vf)}
			}
			if _, err := runHelm(t, append([]string{"lint", "--strict", chartDir}, args...)...); err != nil {
				t.Fatal(err)
			}
			values := chartValues(t, vf)
			r := renderChart(t, chartDir, args...)
			checkRendered(t, r, values)
		})
	}
}

// chartValues returns values.yaml overlaid with a values file (one level of
// nesting is enough for what the checks read).
type values struct {
	Slack struct {
		Enabled        bool
		ExistingSecret string
	}
	ServiceAccount map[string]struct {
		Create  bool
		Name    string
		RoleArn string
	}
	Worker struct {
		Autoscaling           struct{ Enabled bool }
		Resources             corev1.ResourceRequirements
		ExitAfterDisconnected string `json:"exitAfterDisconnected"`
	}
	Starter struct {
		Pdb       struct{ Enabled bool }
		Resources corev1.ResourceRequirements
	}
	ServiceMonitor struct{ Enabled bool }
	Image          struct{ Digest string }
}

func chartValues(t *testing.T, file string) values {
	t.Helper()
	out, err := runHelm(t, "show", "values", chartDir)
	if err != nil {
		t.Fatal(err)
	}
	merged := map[string]any{}
	if err := yaml.Unmarshal([]byte(out), &merged); err != nil {
		t.Fatal(err)
	}
	if file != "" {
		b, err := os.ReadFile(filepath.Join(chartDir, file))
		if err != nil {
			t.Fatal(err)
		}
		var over map[string]any
		if err := yaml.Unmarshal(b, &over); err != nil {
			t.Fatal(err)
		}
		deepMerge(merged, over)
	}
	b, _ := yaml.Marshal(merged)
	var v values
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func checkRendered(t *testing.T, r *rendered, v values) {
	t.Helper()
	worker, starter := r.deployments[release+"-worker"], r.deployments[release+"-starter"]
	if worker == nil || starter == nil {
		t.Fatalf("want Deployments %s-worker and %s-starter, got %v", release, release, keys(r.deployments))
	}
	if len(r.configMaps) != 1 {
		t.Fatalf("want one ConfigMap, got %v", keys(r.configMaps))
	}

	for component, d := range map[string]*appsv1.Deployment{"worker": worker, "starter": starter} {
		at := d.Name
		pod := d.Spec.Template.Spec
		if !matches(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
			t.Errorf("%s: selector %v does not select its pods %v", at, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
		}
		checkPodSecurity(t, at, pod)
		if len(pod.Containers) != 1 {
			t.Fatalf("%s: %d containers", at, len(pod.Containers))
		}
		c := pod.Containers[0]
		if len(c.Args) == 0 || c.Args[0] != component {
			t.Errorf("%s: args %v, want the %s command", at, c.Args, component)
		}
		checkArgs(t, at, c.Args, cliFlags(t))
		if v.Image.Digest != "" && !strings.HasSuffix(c.Image, "@"+v.Image.Digest) {
			t.Errorf("%s: image %s, want the pinned digest", at, c.Image)
		}
		want := map[string]corev1.ResourceRequirements{"worker": v.Worker.Resources, "starter": v.Starter.Resources}[component]
		if !resourcesEqual(c.Resources, want) {
			t.Errorf("%s: resources %v, want %v from values", at, c.Resources, want)
		}

		// Service account: its own, with the IRSA role when one is given.
		saValues := v.ServiceAccount[component]
		saName := pod.ServiceAccountName
		if saValues.Name != "" && saName != saValues.Name {
			t.Errorf("%s: service account %s, want %s", at, saName, saValues.Name)
		}
		if sa := r.serviceAccounts[saName]; saValues.Create {
			if sa == nil {
				t.Errorf("%s: service account %s is not rendered", at, saName)
			} else if got := sa.Annotations["eks.amazonaws.com/role-arn"]; got != saValues.RoleArn {
				t.Errorf("%s: IRSA annotation %q, want %q", saName, got, saValues.RoleArn)
			}
		}

		// The config: mounted where RECTIFY_CONFIG points, loading with
		// rectify's own loader and the pod's environment.
		env := map[string]string{}
		for _, e := range c.Env {
			switch {
			case e.ValueFrom == nil:
				env[e.Name] = e.Value
			case e.ValueFrom.SecretKeyRef != nil:
				ref := e.ValueFrom.SecretKeyRef
				if ref.Name != v.Slack.ExistingSecret || ref.Key == "" {
					t.Errorf("%s: %s from secret %s/%s, want the existing secret %s", at, e.Name, ref.Name, ref.Key, v.Slack.ExistingSecret)
				}
				env[e.Name] = "test-" + strings.ToLower(e.Name)
			default:
				t.Errorf("%s: env %s has an unexpected source", at, e.Name)
			}
		}
		wantSecrets := map[string][]string{"worker": {"SLACK_BOT_TOKEN"}, "starter": {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}}[component]
		for _, s := range wantSecrets {
			if _, ok := env[s]; ok != v.Slack.Enabled {
				t.Errorf("%s: %s set = %v, want %v (slack.enabled)", at, s, ok, v.Slack.Enabled)
			}
		}
		loadRenderedConfig(t, at, r, pod, c, env)
	}

	// Probes: liveness on /healthz and readiness on /readyz, over HTTP on a
	// port the container declares, for both components; each probe waits
	// longer than the endpoint's own bound on its checks.
	for component, d := range map[string]*appsv1.Deployment{"worker": worker, "starter": starter} {
		c := d.Spec.Template.Spec.Containers[0]
		for _, pp := range []struct {
			kind  string
			probe *corev1.Probe
			path  string
		}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
			probe := pp.probe
			if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != pp.path {
				t.Errorf("%s: want an HTTP %s probe on %s, got %+v", component, pp.kind, pp.path, probe)
				continue
			}
			if !hasPort(c, probe.HTTPGet.Port.String()) {
				t.Errorf("%s: %s probe on %s uses port %s, which the container does not declare", component, pp.kind, pp.path, probe.HTTPGet.Port.String())
			}
			if timeout := time.Duration(max(probe.TimeoutSeconds, 1)) * time.Second; timeout <= health.Timeout {
				t.Errorf("%s: %s probe times out after %s, not above the %s its endpoint may take", component, pp.kind, timeout, health.Timeout)
			}
		}
		if c.StartupProbe != nil {
			t.Errorf("%s: has a startup probe; readiness covers start-up", component)
		}
	}
	// The worker exits after exitAfterDisconnected without Temporal, after
	// its readiness probe has taken it out.
	wc := worker.Spec.Template.Spec.Containers[0]
	var exitAfter string
	for _, a := range wc.Args {
		if v, ok := strings.CutPrefix(a, "--exit-after-disconnected="); ok {
			exitAfter = v
		}
	}
	if exitAfter != v.Worker.ExitAfterDisconnected {
		t.Errorf("worker: --exit-after-disconnected=%q, want %q from values", exitAfter, v.Worker.ExitAfterDisconnected)
	}
	if limit, err := time.ParseDuration(exitAfter); err != nil {
		t.Errorf("worker: --exit-after-disconnected=%q: %v", exitAfter, err)
	} else if rp := wc.ReadinessProbe; rp != nil && limit != 0 && limit <= time.Duration(rp.PeriodSeconds*rp.FailureThreshold)*time.Second {
		t.Errorf("worker: exits after %s without Temporal, before its readiness probe (%d × %ds) marks it unready", limit, rp.FailureThreshold, rp.PeriodSeconds)
	}

	// The starter's Service reaches the starter's http port.
	sc := starter.Spec.Template.Spec.Containers[0]
	svc := r.services[release+"-starter"]
	if svc == nil || !matches(svc.Spec.Selector, starter.Spec.Template.Labels) || matches(svc.Spec.Selector, worker.Spec.Template.Labels) {
		t.Fatalf("starter Service missing or selecting the wrong pods: %+v", svc)
	}
	for _, p := range svc.Spec.Ports {
		if !hasPort(sc, p.TargetPort.String()) {
			t.Errorf("Service %s targets port %s, which the starter does not declare", svc.Name, p.TargetPort.String())
		}
	}

	// PDB on the starter; HPA on the worker's CPU.
	pdb := r.pdbs[release+"-starter"]
	if (pdb != nil) != v.Starter.Pdb.Enabled {
		t.Errorf("starter PDB rendered = %v, want %v", pdb != nil, v.Starter.Pdb.Enabled)
	}
	if pdb != nil && !matches(pdb.Spec.Selector.MatchLabels, starter.Spec.Template.Labels) {
		t.Errorf("PDB selects %v, not the starter", pdb.Spec.Selector.MatchLabels)
	}
	hpa := r.hpas[release+"-worker"]
	if (hpa != nil) != v.Worker.Autoscaling.Enabled {
		t.Errorf("worker HPA rendered = %v, want %v", hpa != nil, v.Worker.Autoscaling.Enabled)
	}
	if hpa != nil {
		ref := hpa.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.Name != worker.Name || ref.APIVersion != "apps/v1" {
			t.Errorf("HPA scales %+v, want the worker Deployment", ref)
		}
		if len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Resource == nil || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
			t.Errorf("HPA metrics %+v, want CPU", hpa.Spec.Metrics)
		}
		if worker.Spec.Replicas != nil {
			t.Error("worker Deployment sets replicas while the HPA owns them")
		}
	}

	// ServiceMonitor: only when asked, scraping ports that exist.
	if (len(r.serviceMonitors) == 1) != v.ServiceMonitor.Enabled {
		t.Errorf("%d ServiceMonitors, enabled = %v", len(r.serviceMonitors), v.ServiceMonitor.Enabled)
	}
	for name, sm := range r.serviceMonitors {
		checkServiceMonitor(t, name, sm, r)
	}
}

func checkPodSecurity(t *testing.T, at string, pod corev1.PodSpec) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("%s: pod must run as a non-root user: %+v", at, psc)
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod seccompProfile must be RuntimeDefault", at)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: rectify never calls the Kubernetes API; automountServiceAccountToken must be false", at)
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("%s/%s: no securityContext", at, c.Name)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Errorf("%s/%s: root filesystem must be read-only", at, c.Name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Errorf("%s/%s: allowPrivilegeEscalation must be false", at, c.Name)
		case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
			t.Errorf("%s/%s: capabilities must drop ALL and add none: %+v", at, c.Name, sc.Capabilities)
		case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			t.Errorf("%s/%s: runAsNonRoot must be true", at, c.Name)
		case sc.Privileged != nil && *sc.Privileged:
			t.Errorf("%s/%s: privileged", at, c.Name)
		}
	}
}

// loadRenderedConfig writes the ConfigMap's rectify.yaml where the pod
// would see it and loads it with config.Load and the pod's environment.
func loadRenderedConfig(t *testing.T, at string, r *rendered, pod corev1.PodSpec, c corev1.Container, env map[string]string) {
	t.Helper()
	path := env["RECTIFY_CONFIG"]
	if path == "" {
		t.Fatalf("%s: RECTIFY_CONFIG is not set", at)
	}
	var cm *corev1.ConfigMap
	for _, vol := range pod.Volumes {
		if vol.ConfigMap == nil {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name == vol.Name && filepath.Dir(path) == filepath.Clean(m.MountPath) {
				cm = r.configMaps[vol.ConfigMap.Name]
				if !m.ReadOnly {
					t.Errorf("%s: config mount is writable", at)
				}
			}
		}
	}
	if cm == nil {
		t.Fatalf("%s: no ConfigMap is mounted at %s", at, filepath.Dir(path))
	}
	content, ok := cm.Data[filepath.Base(path)]
	if !ok {
		t.Fatalf("%s: ConfigMap %s has no key %s", at, cm.Name, filepath.Base(path))
	}
	file := filepath.Join(t.TempDir(), "rectify.yaml")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// Only the pod's environment counts, not the test runner's.
	for _, name := range config.EnvNames() {
		t.Setenv(name, env[name])
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Errorf("%s: the rendered rectify.yaml does not load: %v\n%s", at, err, content)
		return
	}
	if slack := env["SLACK_BOT_TOKEN"] != ""; cfg.Slack.Enabled() != slack {
		t.Errorf("%s: Slack enabled = %v with SLACK_BOT_TOKEN set = %v", at, cfg.Slack.Enabled(), slack)
	}
}

func checkServiceMonitor(t *testing.T, name string, sm map[string]any, r *rendered) {
	t.Helper()
	get := func(v any, path ...string) any {
		for _, p := range path {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		return v
	}
	if s, _ := get(sm, "metadata", "name").(string); s == "" {
		t.Errorf("ServiceMonitor %s: no metadata.name", name)
	}
	sel, _ := get(sm, "spec", "selector", "matchLabels").(map[string]any)
	if len(sel) == 0 {
		t.Fatalf("ServiceMonitor %s: spec.selector.matchLabels is required", name)
	}
	labels := map[string]string{}
	for k, v := range sel {
		labels[k], _ = v.(string)
	}
	ports := map[string]bool{}
	selected := 0
	for _, svc := range r.services {
		if matches(labels, svc.Labels) {
			selected++
			for _, p := range svc.Spec.Ports {
				ports[p.Name] = true
			}
		}
	}
	if selected < 2 {
		t.Errorf("ServiceMonitor %s selects %d Services, want the starter's and the worker's", name, selected)
	}
	endpoints, _ := get(sm, "spec", "endpoints").([]any)
	if len(endpoints) == 0 {
		t.Fatalf("ServiceMonitor %s: spec.endpoints is required", name)
	}
	for _, ep := range endpoints {
		port, _ := get(ep, "port").(string)
		path, _ := get(ep, "path").(string)
		if !ports[port] || path != "/metrics" {
			t.Errorf("ServiceMonitor %s: endpoint port %q path %q: want a port of a selected Service and /metrics", name, port, path)
		}
		for k := range ep.(map[string]any) {
			if !slices.Contains([]string{"port", "path", "interval", "scrapeTimeout"}, k) {
				t.Errorf("ServiceMonitor %s: endpoint field %q is not one this chart sets", name, k)
			}
		}
	}
}

// The chart's defaults are what the Terraform module's IRSA trust expects,
// and the config names the member role the Terraform module creates.
func TestHelmDefaultsMatchTerraform(t *testing.T) {
	r := renderChart(t, chartDir)
	e := evalModule(t, rootModule, rootInputs(nil))
	for _, duty := range []string{"starter", "worker"} {
		want := e.vars[duty+"_service_account"].AsString()
		if got := r.deployments[release+"-"+duty].Spec.Template.Spec.ServiceAccountName; got != want {
			t.Errorf("chart %s service account %q, Terraform trusts %q", duty, got, want)
		}
	}
	if got := e.vars["kubernetes_namespace"].AsString(); got != namespace {
		t.Errorf("Terraform trusts namespace %q, the tests install into %q", got, namespace)
	}
	var cfg struct {
		AWS struct {
			AssumeRole string `json:"assume_role"`
		} `json:"aws"`
		RemediationRoles []string `json:"remediation_roles"`
	}
	if err := yaml.Unmarshal([]byte(r.configMaps[release].Data["rectify.yaml"]), &cfg); err != nil {
		t.Fatal(err)
	}
	var tf struct {
		AWS struct {
			AssumeRole string `json:"assume_role"`
		} `json:"aws"`
		RemediationRoles []string `json:"remediation_roles"`
	}
	fromCty(t, e.outputs["rectify_config"], &tf)
	if cfg.AWS.AssumeRole != tf.AWS.AssumeRole || !slices.Equal(cfg.RemediationRoles, tf.RemediationRoles) {
		t.Errorf("chart config assume_role %q, remediation_roles %v; Terraform's rectify_config says %q, %v",
			cfg.AWS.AssumeRole, cfg.RemediationRoles, tf.AWS.AssumeRole, tf.RemediationRoles)
	}
}

// A typo fails: in a value (values.schema.json) and in a template (the
// strict decode).
func TestHelmTyposFail(t *testing.T) {
	if _, err := runHelm(t, "template", release, chartDir, "--kube-version", kubeVersion, "--set", "worker.replicaz=3"); err == nil {
		t.Error("an unknown value (worker.replicaz) renders: values.schema.json must reject it")
	}
	if _, err := runHelm(t, "template", release, chartDir, "--kube-version", kubeVersion, "--set", "slack.enabled=true"); err == nil {
		t.Error("slack.enabled without slack.existingSecret renders")
	}

	broken := filepath.Join(t.TempDir(), "rectify")
	copyDir(t, chartDir, broken)
	tpl := filepath.Join(broken, "templates", "starter-deployment.yaml")
	b, err := os.ReadFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tpl, bytes.Replace(b, []byte("readinessProbe:"), []byte("readynessProbe:"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runHelm(t, "template", release, broken, "--kube-version", kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeManifests(t, out); err == nil || !strings.Contains(err.Error(), "readynessProbe") {
		t.Errorf("a misspelt field in a template decodes: %v", err)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func hasPort(c corev1.Container, port string) bool {
	return slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == port || fmt.Sprint(p.ContainerPort) == port
	})
}

func resourcesEqual(a, b corev1.ResourceRequirements) bool {
	eq := func(x, y corev1.ResourceList) bool {
		if len(x) != len(y) {
			return false
		}
		for k, q := range x {
			if other, ok := y[k]; !ok || q.Cmp(other) != 0 {
				return false
			}
		}
		return true
	}
	return eq(a.Requests, b.Requests) && eq(a.Limits, b.Limits)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
