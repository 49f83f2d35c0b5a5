// Package plan is the plan-plane normalizer: it turns `terraform show -json
// PLANFILE` output into the resource documents of internal/resource, the
// same documents the live plane (internal/resource/live) builds from AWS
// reads, so one Rego verdict holds for both.
//
// What it reads: resource_changes[].change.after with after_unknown (the
// planned values, unknowns dropped), planned_values for resources missing
// from resource_changes, and configuration (references, to join children
// whose parent key is unknown at plan time; provider regions). Separate
// resources such as aws_security_group_rule or
// aws_s3_bucket_public_access_block are joined into their parent; see
// join.go for the list.
package plan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Plan is the part of the Terraform JSON plan format (format_version 0.1,
// 0.2 and 1.x: Terraform 0.12 and later) that rectify reads.
type Plan struct {
	FormatVersion    string           `json:"format_version"`
	TerraformVersion string           `json:"terraform_version"`
	ResourceChanges  []ResourceChange `json:"resource_changes"`
	PlannedValues    Values           `json:"planned_values"`
	Configuration    Configuration    `json:"configuration"`
	// Timestamp is when the plan was made (RFC 3339; Terraform 1.5 and
	// later): the time an age in the plan is measured at.
	Timestamp string `json:"timestamp"`
}

// ResourceChange is one entry of resource_changes.
type ResourceChange struct {
	Address       string `json:"address"`
	ModuleAddress string `json:"module_address"`
	Mode          string `json:"mode"` // "managed" or "data"
	Type          string `json:"type"`
	Name          string `json:"name"`
	Index         any    `json:"index"` // count number or for_each key
	Change        Change `json:"change"`
}

// Change holds the planned values. Numbers are json.Number.
type Change struct {
	Actions      []string `json:"actions"`
	Before       any      `json:"before"`
	After        any      `json:"after"`
	AfterUnknown any      `json:"after_unknown"`
}

// Values is planned_values.
type Values struct {
	RootModule ValuesModule `json:"root_module"`
}

// ValuesModule is one module of planned_values; the root has no address.
type ValuesModule struct {
	Address      string           `json:"address"`
	Resources    []ValuesResource `json:"resources"`
	ChildModules []ValuesModule   `json:"child_modules"`
}

// ValuesResource is one planned resource instance. Unknown values are
// omitted from Values, known nulls are present as null.
type ValuesResource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Index   any            `json:"index"`
	Values  map[string]any `json:"values"`
}

// Configuration is the configuration block: the modules as written.
type Configuration struct {
	ProviderConfig map[string]ProviderConfig `json:"provider_config"`
	RootModule     ConfigModule              `json:"root_module"`
}

// ProviderConfig is one provider block.
type ProviderConfig struct {
	Name        string         `json:"name"`
	Expressions map[string]any `json:"expressions"`
}

// ConfigModule is a module's resources and its calls to child modules.
type ConfigModule struct {
	Resources   []ConfigResource      `json:"resources"`
	ModuleCalls map[string]ModuleCall `json:"module_calls"`
}

// ModuleCall is a module block; Module is the called module's body.
type ModuleCall struct {
	Source string       `json:"source"`
	Module ConfigModule `json:"module"`
}

// ConfigResource is a resource block. Its Address is relative to the module
// it sits in, and so are the references in its Expressions.
type ConfigResource struct {
	Address           string         `json:"address"`
	Mode              string         `json:"mode"`
	Type              string         `json:"type"`
	Name              string         `json:"name"`
	ProviderConfigKey string         `json:"provider_config_key"`
	Expressions       map[string]any `json:"expressions"`
	ForEachExpression map[string]any `json:"for_each_expression"`
}

// ErrNotPlan is wrapped by every error that says the input is something
// other than a Terraform JSON plan.
var ErrNotPlan = errors.New("not a Terraform plan")

// Parse reads `terraform show -json PLANFILE` output. It tells apart the
// usual wrong inputs (the binary plan file, a state file, any other JSON) so
// that the error says what to run instead.
func Parse(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return ParseBytes(data)
}

// ParseBytes is Parse for a plan already in memory.
func ParseBytes(data []byte) (*Plan, error) {
	data, err := UTF8Text(data)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, fmt.Errorf("%w: this is a binary plan file; convert it with `terraform show -json PLANFILE > plan.json`", ErrNotPlan)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the input is empty", ErrNotPlan)
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: want a JSON object from `terraform show -json PLANFILE`", ErrNotPlan)
	}

	// One pass: pointers record which top-level keys are present, and that
	// decides what the document is.
	w, err := decodeTop(data)
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		// The decoder counts a syntax error's offset from the start of
		// the value it was decoding; a whole-document check finds it in
		// data, for the line and column.
		if whole := json.Unmarshal(data, &struct{}{}); whole != nil {
			err = whole
		}
	}
	if err != nil {
		return nil, syntaxError(data, err)
	}
	switch {
	case w.FormatVersion == nil:
		return nil, fmt.Errorf("%w: no format_version/resource_changes; want the output of `terraform show -json PLANFILE`", ErrNotPlan)
	case w.ResourceChanges == nil && w.PlannedValues == nil && w.hasValues:
		return nil, fmt.Errorf("%w: this is Terraform state (values, no planned_values/resource_changes); run `terraform plan -out=PLANFILE` and `terraform show -json PLANFILE`", ErrNotPlan)
	case w.ResourceChanges == nil && w.PlannedValues == nil:
		return nil, fmt.Errorf("%w: no resource_changes or planned_values; want the output of `terraform show -json PLANFILE`", ErrNotPlan)
	}
	p := Plan{FormatVersion: *w.FormatVersion, TerraformVersion: w.TerraformVersion, Configuration: w.Configuration, Timestamp: w.Timestamp}
	if w.ResourceChanges != nil {
		p.ResourceChanges = *w.ResourceChanges
	}
	if w.PlannedValues != nil {
		p.PlannedValues = *w.PlannedValues
	}
	if !supportedFormat(p.FormatVersion) {
		return nil, fmt.Errorf("plan format_version %q is not supported: rectify reads 0.1 (Terraform 0.12 to 1.0.0), 0.2 (1.0.1 to 1.0.11) and 1.x (1.1 and later)", p.FormatVersion)
	}
	for i, rc := range p.ResourceChanges {
		if rc.Address == "" || rc.Type == "" {
			return nil, fmt.Errorf("plan resource_changes[%d]: address and type are required", i)
		}
	}
	return &p, nil
}

// topLevel is what ParseBytes reads of the document's top level.
type topLevel struct {
	FormatVersion    *string
	TerraformVersion string
	ResourceChanges  *[]ResourceChange
	PlannedValues    *Values
	Configuration    Configuration
	Timestamp        string
	hasValues        bool // "values": state, not a plan
}

// decodeTop reads the top-level object a key at a time, and
// resource_changes an element at a time, so the decoder never buffers the
// whole plan a second time beside data: decoding the document as one value
// copied all of it (and grew that copy by doubling) before unmarshaling.
// Keys rectify does not read (prior_state, resource_drift, output_changes,
// ...) are skipped token by token, never held.
func decodeTop(data []byte) (topLevel, error) {
	var w topLevel
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{': ParseBytes checked the first byte
		return w, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return w, err
		}
		switch key, _ := t.(string); key {
		case "format_version":
			err = dec.Decode(&w.FormatVersion)
		case "terraform_version":
			err = dec.Decode(&w.TerraformVersion)
		case "resource_changes":
			w.ResourceChanges, err = decodeChanges(dec)
		case "planned_values":
			err = dec.Decode(&w.PlannedValues)
		case "configuration":
			err = dec.Decode(&w.Configuration)
		case "timestamp":
			err = dec.Decode(&w.Timestamp)
		case "values":
			w.hasValues = true
			err = skipValue(dec)
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return w, err
		}
	}
	_, err := dec.Token() // '}'
	return w, err
}

// decodeChanges reads the resource_changes array one change at a time.
// null reads as absent.
func decodeChanges(dec *json.Decoder) (*[]ResourceChange, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case nil:
		return nil, nil
	case json.Delim('['):
	default:
		return nil, &json.UnmarshalTypeError{Value: jsonKind(t), Type: reflect.TypeFor[[]ResourceChange](), Field: "resource_changes"}
	}
	changes := []ResourceChange{}
	for i := 0; dec.More(); i++ {
		var rc ResourceChange
		if err := dec.Decode(&rc); err != nil {
			if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
				te.Field = fmt.Sprintf("resource_changes[%d].%s", i, te.Field)
			}
			return nil, err
		}
		changes = append(changes, rc)
	}
	_, err = dec.Token() // ']'
	return &changes, err
}

// skipValue reads past the next value without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// jsonKind names the JSON type of a token that starts a value.
func jsonKind(t json.Token) string {
	switch t.(type) {
	case json.Delim:
		if t == json.Delim('{') {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return "number"
}

// UTF8Text returns data as UTF-8 without a byte order mark. On Windows,
// `terraform show -json tfplan > plan.json` in PowerShell 5 writes UTF-16LE
// with a BOM, and Out-File -Encoding utf8 a UTF-8 BOM; both are the same
// plan, and encoding/json reads neither.
func UTF8Text(data []byte) ([]byte, error) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		order = binary.BigEndian
	default:
		return data, nil
	}
	data = data[2:]
	if len(data)%2 != 0 {
		return nil, fmt.Errorf("%w: UTF-16 text (it starts with a byte order mark) of an odd length, %d bytes", ErrNotPlan, len(data)+2)
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	out := make([]byte, 0, len(units))
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// supportedFormat reports whether rectify reads this format_version.
// Terraform raises the minor version for additions a reader may ignore and
// the major one for changes that break readers, so any 1.x is read; before
// 1.0 only the two versions Terraform released exist. What differs between
// them, and what rectify does about it:
//   - 0.1 (Terraform 0.12.0 to 1.0.0): create leaves out change.before
//     rather than writing null, and a wholly known change.after comes with
//     an after_unknown of false leaves rather than {}; both read the same.
//     References in configuration name the resource only
//     ("aws_s3_bucket.b"), without the attribute forms 1.x lists first
//     ("aws_s3_bucket.b.id"); parseRef reads both.
//   - 0.2 (1.0.1 to 1.0.11) adds sensitive_values; 1.0 (1.1) adds
//     previous_address and relevant_attributes; 1.1 (1.2) adds
//     full_name to provider_config and condition_results; 1.2 (1.5) adds
//     importing, checks and timestamp. rectify reads none of them, and
//     never resource_drift (0.15.4 and later), which is what changed
//     outside Terraform, not what the plan will do.
//   - Until Terraform 1.3.0 (so in 0.1, 0.2, 1.0 and part of 1.1), a set
//     or tuple element that is wholly unknown is left out of change.after
//     while after_unknown keeps its mark: the two arrays do not line up.
//     known handles it.
func supportedFormat(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	return major == "1" || v == "0.1" || v == "0.2"
}

// syntaxError names the line and column of malformed JSON.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &se):
		off = max(se.Offset-1, 0) // Offset is just past the offending byte
	case errors.As(err, &te):
		return fmt.Errorf("%w: field %s is a JSON %s, want %s", ErrNotPlan, te.Field, te.Value, te.Type)
	default:
		return fmt.Errorf("parse plan: %w", err)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Errorf("parse plan: invalid JSON at line %d, column %d: %w", line, col, err)
}
