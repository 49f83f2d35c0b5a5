// Package config reads rectify's one YAML file and its environment
// overrides. Defaults make a bare `rectify worker` talk to a local Temporal
// and real AWS through the default credential chain.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rectifyhq/rectify/internal/contract"
	"github.com/rectifyhq/rectify/internal/exempt"
	"github.com/rectifyhq/rectify/internal/resource"
)

// Config is the whole configuration.
type Config struct {
	Temporal Temporal `yaml:"temporal"`
	AWS      AWS      `yaml:"aws"`
	Queue    Queue    `yaml:"queue"`
	// RemediationRoles are ARN globs of the identities rectify acts as. The
	// starter drops events they cause: loop prevention, layer 1.
	RemediationRoles []string `yaml:"remediation_roles"`
	// DryRun forces every policy to notify mode.
	DryRun bool `yaml:"dry_run"`
	// Stage is the stage of an account no rule names (default observe:
	// every control notifies only until a person promotes the account).
	Stage contract.Stage `yaml:"stage"`
	// Stages put accounts, or policies in them, in a stage. Stages set
	// with `rectify accounts promote|demote` override these.
	Stages []contract.StageRule `yaml:"stages"`
	// RequireReason makes `rectify reject` and `rectify undo` refuse to
	// run without --reason (default true).
	RequireReason *bool `yaml:"require_reason"`
	// Defaults apply to every policy; Policies override them per policy id.
	Defaults PolicySettings            `yaml:"defaults"`
	Policies map[string]PolicySettings `yaml:"policies"`
	// Approvers may approve or reject in approve mode.
	Approvers []string `yaml:"approvers"`
	// Accounts, when set, is the allow-list: events from any other account
	// are refused (logged and counted).
	Accounts []string `yaml:"accounts"`
	// Sweeps are the scheduled sweeps (`rectify sweep schedule`).
	Sweeps []Sweep `yaml:"sweeps"`
	// Exemptions are the config form of exemptions, beside the tag form.
	Exemptions []exempt.Rule `yaml:"exemptions"`
	// Remediation holds what the remediation actions take from the
	// operator, by the keys they declare (`rectify controls` lists them):
	// destinations, keys, thresholds. A nested map is read as dotted keys,
	// so {flow_logs: {destination: arn}} is flow_logs.destination.
	Remediation map[string]any `yaml:"remediation"`
	// Settle is how long an evaluation waits after a change for the rest of
	// its burst before reading the resource.
	Settle Duration `yaml:"settle"`
	Log    Log      `yaml:"log"`
	// Tracing exports OpenTelemetry spans over OTLP/gRPC when an endpoint
	// is set (also from OTEL_EXPORTER_OTLP_ENDPOINT).
	Tracing Tracing `yaml:"tracing"`
	Slack   Slack   `yaml:"slack"`
	// Audit is the audit trail in S3 (off while audit.bucket is empty).
	Audit Audit `yaml:"audit"`

	// source is the file Load read, for error messages ("" for none).
	source string
	// explicit holds the paths of policy settings the file wrote out
	// ("policies.ID.max_remediations"): there a 0 is a mistake, not "inherit".
	explicit map[string]bool
	// fromEnv lists the environment overrides that were applied, so an
	// error in a field one of them set names the variable.
	fromEnv []envOverride
}

// Temporal says where the Temporal service is.
type Temporal struct {
	Address   string `yaml:"address"`
	Namespace string `yaml:"namespace"`
	TaskQueue string `yaml:"task_queue"`
	UIURL     string `yaml:"ui_url"`
	// TLS to the frontend (Temporal Cloud, or a self-hosted cluster with
	// mTLS): a client certificate and key, and an optional CA bundle.
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	TLSCAFile   string `yaml:"tls_ca_file"`
	// APIKey authenticates to Temporal Cloud instead of a certificate. It
	// comes from TEMPORAL_API_KEY only, never from the file.
	APIKey Secret `yaml:"-"`
}

// AWS says how to reach AWS.
type AWS struct {
	Region string `yaml:"region"`
	// Endpoint overrides every service endpoint (BaseEndpoint); the fake
	// cloud, or a VPC endpoint proxy. Empty means real AWS.
	Endpoint string `yaml:"endpoint"`
	// AssumeRole is the remediation role to act as in a target account, as
	// an ARN template where {account} is replaced by the account id. Empty
	// means act with the worker's own credentials.
	AssumeRole string `yaml:"assume_role"`
	ExternalID string `yaml:"external_id"`
	// SecurityHub turns finding records on (default true).
	SecurityHub *bool `yaml:"security_hub"`
	// ControlsURL is the page each finding's Remediation.Recommendation.Url
	// points into, at the anchor of the control's "## <policy-id>" heading
	// (default contract.DefaultControlsURL).
	ControlsURL string `yaml:"controls_url"`
	// FindingsBatchDelay is how long a batch of findings waits for one more
	// to share its BatchImportFindings call (the API is rate-limited per
	// account and region). Each arrival starts the wait again, so under
	// load batches fill up, up to FindingsBatchMaxDelay after they opened.
	FindingsBatchDelay    Duration `yaml:"findings_batch_delay"`
	FindingsBatchMaxDelay Duration `yaml:"findings_batch_max_delay"`
	// AuthGraceAttempts is how many attempts an activity gets when AWS
	// refuses its credentials (an expired or revoked session, a role STS
	// will not hand out) before the error is final; each attempt assumes
	// the role afresh. 0 means awserr.DefaultAuthGraceAttempts (10, about
	// four minutes with the workflows' backoff).
	AuthGraceAttempts int `yaml:"auth_grace_attempts"`
}

// Audit says where the audit trail goes: one JSON record per state change
// of a violation, written once to an S3 bucket in rectify's own account,
// which `rectify report` reads back.
type Audit struct {
	// Bucket is the audit bucket; empty turns the audit trail off.
	Bucket string `yaml:"bucket"`
	// Prefix is put before every key (default rectify/audit/).
	Prefix string `yaml:"prefix"`
	// Region is the bucket's region (default aws.region).
	Region string `yaml:"region"`
	// BatchDelay and BatchMaxDelay batch the writes as findings_batch_delay
	// and findings_batch_max_delay batch findings.
	BatchDelay    Duration `yaml:"batch_delay"`
	BatchMaxDelay Duration `yaml:"batch_max_delay"`
}

// Enabled reports whether the audit trail is on.
func (a Audit) Enabled() bool { return a.Bucket != "" }

// AuditRegion is the audit bucket's region: audit.region, else aws.region.
func (c *Config) AuditRegion() string {
	if c.Audit.Region != "" {
		return c.Audit.Region
	}
	return c.AWS.Region
}

// Queue is the SQS queue the starter consumes.
type Queue struct {
	URL string `yaml:"url"`
	// DLQURL is the dead-letter queue of URL, for `rectify dlq`.
	DLQURL string `yaml:"dlq_url"`
	// Workers is how many messages are handled at once.
	Workers int `yaml:"workers"`
	// VisibilityTimeout overrides the queue's for the starter's receives;
	// 0 keeps the queue's.
	VisibilityTimeout Duration `yaml:"visibility_timeout"`
}

// Sweep is one account and region listed on a timer, to catch drift that
// no event reported.
type Sweep struct {
	Account        string   `yaml:"account"`
	Region         string   `yaml:"region"`
	Every          Duration `yaml:"every"`
	PagesPerSecond float64  `yaml:"pages_per_second"`
}

// Tracing configures span export.
type Tracing struct {
	OTLPEndpoint string `yaml:"otlp_endpoint"`
	Insecure     bool   `yaml:"insecure"`
}

// Log configures log/slog output.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // json or text
}

// PolicySettings is how one policy behaves. Zero fields inherit.
type PolicySettings struct {
	Mode            contract.Mode          `yaml:"mode"`
	ApprovalTimeout Duration               `yaml:"approval_timeout"`
	TimeoutAction   contract.TimeoutAction `yaml:"timeout_action"`
	// WatchWindow is how long a remediated violation stays open to catch a
	// recurrence; MaxRemediations inside it before escalating to humans.
	WatchWindow     Duration `yaml:"watch_window"`
	MaxRemediations int      `yaml:"max_remediations"`
	// Reminders are posted as thread replies at these delays after the
	// approval request, while no decision has been made.
	Reminders []Duration `yaml:"reminders"`
	// EscalateBefore posts EscalationMention (a user group or @here) this
	// long before the approval times out.
	EscalateBefore    Duration `yaml:"escalate_before"`
	EscalationMention string   `yaml:"escalation_mention"`
	// UndoWindow is how long after a fix Undo is offered; ExemptFor is how
	// long an undone violation is exempt from re-remediation.
	UndoWindow Duration `yaml:"undo_window"`
	ExemptFor  Duration `yaml:"exempt_for"`
	// RejectSnooze is how long a rejected violation stays open so sweeps
	// do not ask again; a real change of the resource asks at once.
	RejectSnooze Duration `yaml:"reject_snooze"`
}

// Duration is a time.Duration written as "90s", "1h30m" or "7d".
type Duration time.Duration

// UnmarshalYAML accepts Go duration strings plus a "d" suffix for days.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses a Go duration or a whole number of days ("7d").
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("duration %q: want a Go duration such as 90s or 1h, or days such as 7d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("duration %q: want a Go duration such as 90s or 1h, or days such as 7d", s)
	}
	return v, nil
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Temporal: Temporal{Address: "127.0.0.1:7233", Namespace: "default", TaskQueue: "rectify", UIURL: "http://127.0.0.1:8233"},
		AWS:      AWS{Region: "us-east-1", ControlsURL: contract.DefaultControlsURL, FindingsBatchDelay: Duration(time.Second), FindingsBatchMaxDelay: Duration(10 * time.Second)},
		Queue:    Queue{Workers: 8},
		Defaults: PolicySettings{
			ApprovalTimeout: Duration(24 * time.Hour),
			TimeoutAction:   contract.TimeoutReject,
			WatchWindow:     Duration(time.Hour),
			MaxRemediations: 3,
			UndoWindow:      Duration(24 * time.Hour),
			ExemptFor:       Duration(7 * 24 * time.Hour),
			RejectSnooze:    Duration(7 * 24 * time.Hour),
		},
		Stage:  contract.StageObserve,
		Settle: Duration(time.Second),
		Log:    Log{Level: "info", Format: "text"},
		Audit:  Audit{Prefix: DefaultAuditPrefix, BatchDelay: Duration(time.Second), BatchMaxDelay: Duration(10 * time.Second)},
	}
}

// DefaultAuditPrefix is where the audit records go in the bucket unless
// audit.prefix says otherwise.
const DefaultAuditPrefix = "rectify/audit/"

// Load reads path (empty: defaults only), then applies RECTIFY_* environment
// overrides, then validates what needs no policy set (see ValidateWith for
// the rest). Errors name the file and the field.
func Load(path string) (Config, error) {
	c := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
		if err := c.decode(b); err != nil {
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
		c.source = path
	}
	if err := c.applyEnv(os.LookupEnv); err != nil {
		return Config{}, err
	}
	if err := c.Slack.loadSecrets(); err != nil {
		return Config{}, c.wrap(err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, c.wrap(err)
	}
	return c, nil
}

// decode reads the one YAML document of a config file into c, strictly:
// an unknown field is an error, and so is a second document, which would
// otherwise be ignored with everything it sets.
func (c *Config) decode(b []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty file decodes as io.EOF and means "all defaults".
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("after the first YAML document: %w", err)
		}
		// A trailing "---" with nothing (or only comments) after it is
		// harmless; a document with content would be ignored.
		if len(next.Content) == 1 && next.Content[0].Tag == "!!null" {
			continue
		}
		return fmt.Errorf("line %d: a second YAML document (after ---); rectify reads one: merge it into the first", next.Line)
	}
	var e explicitFields
	if err := yaml.Unmarshal(b, &e); err != nil {
		return err
	}
	c.explicit = e.paths()
	return nil
}

// MaxFindingsBatchDelay bounds aws.findings_batch_max_delay: the record
// activity waits for its batch and the import inside a 30s start-to-close
// timeout, and a batch that waited longer would time every writer out.
const MaxFindingsBatchDelay = 15 * time.Second

// validateBatching checks a batch's quiet period and cap (findings and
// audit records are batched alike, and both wait inside the record
// activity's timeout), naming the fields.
func validateBatching(quietField string, quiet Duration, mostField string, most Duration) error {
	q, m := time.Duration(quiet), time.Duration(most)
	switch {
	case q < 0:
		return fmt.Errorf("%s: %s: must not be negative", quietField, q)
	case m < 0 || m > MaxFindingsBatchDelay:
		return fmt.Errorf("%s: %s: must be between 0 and %s", mostField, m, MaxFindingsBatchDelay)
	case m != 0 && m < q:
		return fmt.Errorf("%s: %s is shorter than %s %s", mostField, m, quietField, q)
	}
	return nil
}

// envOverride is an environment variable that overrides the file: its
// name, the field it sets (as errors name it) and how.
type envOverride struct {
	name, field string
	set         func(*Config, string) error
}

// Environment variables that override the file, for containers.
var envOverrides = []envOverride{
	// The temporal CLI's names first, so rectify's own win when both are set.
	{"TEMPORAL_ADDRESS", "temporal.address", func(c *Config, v string) error { c.Temporal.Address = v; return nil }},
	{"TEMPORAL_NAMESPACE", "temporal.namespace", func(c *Config, v string) error { c.Temporal.Namespace = v; return nil }},
	{"TEMPORAL_TLS_CLIENT_CERT_PATH", "temporal.tls_cert_file", func(c *Config, v string) error { c.Temporal.TLSCertFile = v; return nil }},
	{"TEMPORAL_TLS_CLIENT_KEY_PATH", "temporal.tls_key_file", func(c *Config, v string) error { c.Temporal.TLSKeyFile = v; return nil }},
	{"TEMPORAL_TLS_SERVER_CA_CERT_PATH", "temporal.tls_ca_file", func(c *Config, v string) error { c.Temporal.TLSCAFile = v; return nil }},
	{"RECTIFY_TEMPORAL_ADDRESS", "temporal.address", func(c *Config, v string) error { c.Temporal.Address = v; return nil }},
	{"RECTIFY_TEMPORAL_NAMESPACE", "temporal.namespace", func(c *Config, v string) error { c.Temporal.Namespace = v; return nil }},
	{"RECTIFY_TASK_QUEUE", "temporal.task_queue", func(c *Config, v string) error { c.Temporal.TaskQueue = v; return nil }},
	{"TEMPORAL_API_KEY", "temporal.api_key", func(c *Config, v string) error { c.Temporal.APIKey = Secret(v); return nil }},
	{"RECTIFY_TEMPORAL_UI_URL", "temporal.ui_url", func(c *Config, v string) error { c.Temporal.UIURL = v; return nil }},
	{"RECTIFY_TEMPORAL_TLS_CERT_PATH", "temporal.tls_cert_file", func(c *Config, v string) error { c.Temporal.TLSCertFile = v; return nil }},
	{"RECTIFY_TEMPORAL_TLS_KEY_PATH", "temporal.tls_key_file", func(c *Config, v string) error { c.Temporal.TLSKeyFile = v; return nil }},
	{"RECTIFY_TEMPORAL_TLS_CA_PATH", "temporal.tls_ca_file", func(c *Config, v string) error { c.Temporal.TLSCAFile = v; return nil }},
	{"RECTIFY_STAGE", "stage", func(c *Config, v string) error { c.Stage = contract.Stage(v); return nil }},
	{"RECTIFY_QUEUE_URL", "queue.url", func(c *Config, v string) error { c.Queue.URL = v; return nil }},
	{"RECTIFY_DLQ_URL", "queue.dlq_url", func(c *Config, v string) error { c.Queue.DLQURL = v; return nil }},
	{"RECTIFY_AWS_REGION", "aws.region", func(c *Config, v string) error { c.AWS.Region = v; return nil }},
	{"RECTIFY_AWS_ENDPOINT", "aws.endpoint", func(c *Config, v string) error { c.AWS.Endpoint = v; return nil }},
	{"RECTIFY_ASSUME_ROLE", "aws.assume_role", func(c *Config, v string) error { c.AWS.AssumeRole = v; return nil }},
	{"RECTIFY_DRY_RUN", "dry_run", func(c *Config, v string) (err error) { c.DryRun, err = strconv.ParseBool(v); return err }},
	{"RECTIFY_APPROVERS", "approvers", func(c *Config, v string) error { c.Approvers = splitList(v); return nil }},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "tracing.otlp_endpoint", func(c *Config, v string) error { c.Tracing.OTLPEndpoint = v; return nil }},
	{"RECTIFY_AUDIT_BUCKET", "audit.bucket", func(c *Config, v string) error { c.Audit.Bucket = v; return nil }},
	{"RECTIFY_AUDIT_PREFIX", "audit.prefix", func(c *Config, v string) error { c.Audit.Prefix = v; return nil }},
	{"RECTIFY_LOG_LEVEL", "log.level", func(c *Config, v string) error { c.Log.Level = v; return nil }},
	{"RECTIFY_LOG_FORMAT", "log.format", func(c *Config, v string) error { c.Log.Format = v; return nil }},
	// Slack's own names, as Slack's tooling and docs use them.
	{"SLACK_BOT_TOKEN", "slack.bot_token", func(c *Config, v string) error { c.Slack.BotToken = Secret(v); return nil }},
	{"SLACK_BOT_TOKEN_FILE", "slack.bot_token_file", func(c *Config, v string) error { c.Slack.BotTokenFile = v; return nil }},
	{"SLACK_SIGNING_SECRET", "slack.signing_secret", func(c *Config, v string) error { c.Slack.SigningSecret = Secret(v); return nil }},
	{"SLACK_SIGNING_SECRET_FILE", "slack.signing_secret_file", func(c *Config, v string) error { c.Slack.SigningSecretFile = v; return nil }},
}

// EnvNames lists the supported environment overrides, for --help text.
func EnvNames() []string {
	names := make([]string, len(envOverrides))
	for i, e := range envOverrides {
		names[i] = e.name
	}
	return names
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	for _, e := range envOverrides {
		if v, ok := lookup(e.name); ok && v != "" {
			if err := e.set(c, v); err != nil {
				return fmt.Errorf("environment %s=%q: %w", e.name, v, err)
			}
			c.fromEnv = append(c.fromEnv, e)
		}
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Validate reports the first field that is wrong, by its YAML path.
func (c *Config) Validate() error {
	if c.Temporal.Address == "" {
		return errors.New("temporal.address: required")
	}
	if c.Temporal.Namespace == "" {
		return errors.New("temporal.namespace: required")
	}
	if c.Temporal.TaskQueue == "" {
		return errors.New("temporal.task_queue: required")
	}
	if (c.Temporal.TLSCertFile == "") != (c.Temporal.TLSKeyFile == "") {
		return errors.New("temporal.tls_cert_file and temporal.tls_key_file: give both or neither")
	}
	if err := checkURL("temporal.ui_url", c.Temporal.UIURL); err != nil {
		return err
	}
	if err := checkURL("aws.controls_url", c.AWS.ControlsURL); err != nil {
		return err
	}
	if c.Queue.Workers < 1 {
		return fmt.Errorf("queue.workers: %d: must be at least 1", c.Queue.Workers)
	}
	if err := checkURL("queue.url", c.Queue.URL); err != nil {
		return err
	}
	if err := checkURL("queue.dlq_url", c.Queue.DLQURL); err != nil {
		return err
	}
	if err := c.AWS.validate(); err != nil {
		return err
	}
	for i, p := range c.RemediationRoles {
		if err := checkRolePattern(p); err != nil {
			return fmt.Errorf("remediation_roles[%d]: %w", i, err)
		}
	}
	for i, a := range c.Accounts {
		if !resource.IsAccountID(a) {
			return fmt.Errorf("accounts[%d]: %q is not a 12-digit account id", i, a)
		}
	}
	if c.AWS.AuthGraceAttempts < 0 {
		return fmt.Errorf("aws.auth_grace_attempts: %d: must not be negative (0 takes the default)", c.AWS.AuthGraceAttempts)
	}
	for i, sw := range c.Sweeps {
		if err := sw.Validate(); err != nil {
			return fmt.Errorf("sweeps[%d].%w", i, err)
		}
	}
	for i, r := range c.Exemptions {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("exemptions[%d].%w", i, err)
		}
		if err := resource.CheckARNPattern(r.ARN); err != nil {
			return fmt.Errorf("exemptions[%d].arn: %w", i, err)
		}
	}
	if err := c.validateStages(); err != nil {
		return err
	}
	if err := c.Defaults.validate("defaults"); err != nil {
		return err
	}
	if err := c.Defaults.validateLoops("defaults", true, nil); err != nil {
		return err
	}
	for _, id := range sortedKeys(c.Policies) {
		p := c.Policies[id]
		if err := p.validate("policies." + id); err != nil {
			return err
		}
		if err := p.validateLoops("policies."+id, false, c.explicit); err != nil {
			return err
		}
	}
	if err := c.Audit.validate(c.explicit); err != nil {
		return err
	}
	return c.Slack.validate()
}

// validateStages checks the default stage and every stages: entry.
func (c *Config) validateStages() error {
	if c.Stage != "" {
		if _, err := contract.ParseStage(string(c.Stage)); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
	}
	seen := map[[2]string]int{}
	for i, r := range c.Stages {
		if !resource.IsAccountID(r.Account) {
			return fmt.Errorf("stages[%d].account: %q is not a 12-digit account id", i, r.Account)
		}
		if _, err := contract.ParseStage(string(r.Stage)); err != nil {
			return fmt.Errorf("stages[%d].stage: %w", i, err)
		}
		key := [2]string{r.Account, r.Policy}
		if j, dup := seen[key]; dup {
			return fmt.Errorf("stages[%d]: the same account and policy as stages[%d]: keep one", i, j)
		}
		seen[key] = i
	}
	return nil
}

func (p PolicySettings) validate(at string) error {
	if p.Mode != "" {
		if _, err := contract.ParseMode(string(p.Mode)); err != nil {
			return fmt.Errorf("%s.mode: %w", at, err)
		}
	}
	if p.TimeoutAction != "" {
		if _, err := contract.ParseTimeoutAction(string(p.TimeoutAction)); err != nil {
			return fmt.Errorf("%s.timeout_action: %w", at, err)
		}
	}
	if p.MaxRemediations < 0 {
		return fmt.Errorf("%s.max_remediations: %d: must not be negative", at, p.MaxRemediations)
	}
	return nil
}

// Settings resolves how the policy with this id behaves: its own entry,
// then the defaults, then the policy's default mode from its METADATA;
// dry_run forces notify.
func (c *Config) Settings(policyID string, defaultMode contract.Mode) PolicySettings {
	s := c.Defaults
	if p, ok := c.Policies[policyID]; ok {
		if p.Mode != "" {
			s.Mode = p.Mode
		}
		if p.ApprovalTimeout != 0 {
			s.ApprovalTimeout = p.ApprovalTimeout
		}
		if p.TimeoutAction != "" {
			s.TimeoutAction = p.TimeoutAction
		}
		if p.WatchWindow != 0 {
			s.WatchWindow = p.WatchWindow
		}
		if p.MaxRemediations != 0 {
			s.MaxRemediations = p.MaxRemediations
		}
		if p.Reminders != nil {
			s.Reminders = p.Reminders
		}
		if p.EscalateBefore != 0 {
			s.EscalateBefore = p.EscalateBefore
		}
		if p.EscalationMention != "" {
			s.EscalationMention = p.EscalationMention
		}
		if p.UndoWindow != 0 {
			s.UndoWindow = p.UndoWindow
		}
		if p.ExemptFor != 0 {
			s.ExemptFor = p.ExemptFor
		}
		if p.RejectSnooze != 0 {
			s.RejectSnooze = p.RejectSnooze
		}
	}
	if s.Mode == "" {
		s.Mode = defaultMode
	}
	if s.Mode == "" {
		s.Mode = contract.ModeNotify
	}
	if c.DryRun && s.Mode != contract.ModeOff {
		s.Mode = contract.ModeNotify
	}
	return s
}

// ViolationSettings is Settings in the form a violation in account carries
// for its whole life, with the approvers and the stage this file gives the
// account (Stage, StageFrom): what the worker's activities apply, after
// the stages people set with `rectify accounts`, which override the file.
// The mode is the policy's own; the activities make it notify in the
// observe stage.
func (c *Config) ViolationSettings(account, policyID string, defaultMode contract.Mode) contract.Settings {
	s := c.Settings(policyID, defaultMode)
	stage, from := c.StageOf(account, policyID)
	return contract.Settings{
		RejectSnooze:      time.Duration(s.RejectSnooze),
		Stage:             stage,
		StageFrom:         from,
		Mode:              s.Mode,
		ApprovalTimeout:   time.Duration(s.ApprovalTimeout),
		TimeoutAction:     s.TimeoutAction,
		WatchWindow:       time.Duration(s.WatchWindow),
		MaxRemediations:   s.MaxRemediations,
		Approvers:         c.Approvers,
		Reminders:         durations(s.Reminders),
		EscalateBefore:    time.Duration(s.EscalateBefore),
		EscalationMention: s.EscalationMention,
		UndoWindow:        time.Duration(s.UndoWindow),
		ExemptFor:         time.Duration(s.ExemptFor),
	}
}

// StageOf is the stage this file gives policyID in account, and where it
// says so: a stages: entry for the policy, then for the account, then the
// default stage. An empty stage (a Config not made by Default or Load)
// is no stage at all: each policy's mode, as before stages existed.
func (c *Config) StageOf(account, policyID string) (contract.Stage, string) {
	if r, ok := contract.LookupStage(c.Stages, account, policyID); ok {
		from := "config stages: account " + r.Account
		if r.Policy != "" {
			from = "config stages: " + r.Policy + " in account " + r.Account
		}
		return r.Stage, from
	}
	if c.Stage == "" {
		return "", ""
	}
	return c.Stage, "default stage of an account not promoted"
}

// ReasonRequired says whether reject and undo need a reason.
func (c *Config) ReasonRequired() bool { return c.RequireReason == nil || *c.RequireReason }

// ExemptionRules are the exemptions: entries of the configuration.
func (c *Config) ExemptionRules() []exempt.Rule { return c.Exemptions }

func durations(ds []Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = time.Duration(d)
	}
	return out
}

// RemediationOptions is the remediation section as dotted keys and text
// values, the form the actions read.
func (c *Config) RemediationOptions() map[string]string {
	out := map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := prefix + k
			switch v := v.(type) {
			case map[string]any:
				walk(key+".", v)
			case nil:
			default:
				out[key] = fmt.Sprint(v)
			}
		}
	}
	walk("", c.Remediation)
	return out
}

// Source is the file the configuration was read from, "" when none.
func (c *Config) Source() string { return c.source }
