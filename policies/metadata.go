package policies

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Severities are the values custom.severity may take, lowest first.
var Severities = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// Modes are the values custom.default_mode may take.
var Modes = []string{"enforce", "approve", "notify", "off"}

// RemediationNone is custom.remediation for a policy that only reports.
const RemediationNone = "none"

// Metadata is what a policy's package-scope METADATA block declares. The
// Rego file is the single source of truth; Go only reads it.
type Metadata struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
	Severity      string   `json:"severity"`
	ResourceTypes []string `json:"resource_types"`
	Remediation   string   `json:"remediation"`
	Controls      []string `json:"controls"`
	DefaultMode   string   `json:"default_mode"`
	// Planes limits the planes the control judges ("plan", "live") when
	// its kinds have both but the property it judges exists in one only
	// (when a credential was last used: never in a plan). Empty: every
	// plane its kinds have. The policy must still pass a document of the
	// other plane, which lacks the property.
	Planes []string `json:"planes,omitempty"`
	// Package is the Rego package without the "data." prefix,
	// e.g. "rectify.aws.ec2.sg_public_admin_ports".
	Package string `json:"package"`
	// File holds the METADATA block, named as it was loaded.
	File string `json:"file"`
}

func (m Metadata) clone() Metadata {
	m.ResourceTypes = slices.Clone(m.ResourceTypes)
	m.Controls = slices.Clone(m.Controls)
	m.Planes = slices.Clone(m.Planes)
	return m
}

// Judges reports whether the control judges documents of the plane
// ("plan", "live"), as far as its METADATA says.
func (m Metadata) Judges(plane string) bool {
	return len(m.Planes) == 0 || slices.Contains(m.Planes, plane)
}

// appliesTo reports whether the policy judges resources of type t.
func (m Metadata) appliesTo(t string) bool { return slices.Contains(m.ResourceTypes, t) }

var (
	// Policy IDs end up in workflow IDs, search attributes and finding IDs,
	// so keep them to dotted lower-case words.
	idPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	// Action names key the Go allow-list of remediations.
	actionPattern = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// parseMetadata validates a package-scope annotation and turns it into
// Metadata. Every problem names the field and what to write instead, because
// the reader is a policy author looking at a load error.
func parseMetadata(a *ast.Annotations, pkg, file string) (Metadata, error) {
	m := Metadata{
		Title:       strings.TrimSpace(a.Title),
		Description: strings.TrimSpace(a.Description),
		Package:     pkg,
		File:        file,
	}
	var problems []string
	addf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if m.Title == "" {
		addf("title is missing")
	}
	if m.Description == "" {
		addf("description is missing")
	}

	var err error
	if m.ID, err = customString(a.Custom, "id"); err != nil {
		addf("%v", err)
	} else if !idPattern.MatchString(m.ID) {
		addf("custom.id %q must be dotted lower-case words, e.g. aws.ec2.sg_public_admin_ports", m.ID)
	}

	if m.Severity, err = customString(a.Custom, "severity"); err != nil {
		addf("%v", err)
	} else if !slices.Contains(Severities, m.Severity) {
		addf("custom.severity %q must be one of %s", m.Severity, strings.Join(Severities, ", "))
	}

	if m.ResourceTypes, err = customStrings(a.Custom, "resource_types"); err != nil {
		addf("%v", err)
	} else if len(m.ResourceTypes) == 0 {
		addf("custom.resource_types must list at least one Terraform type name, e.g. [aws_security_group]")
	}

	if m.Remediation, err = customString(a.Custom, "remediation"); err != nil {
		addf("%v", err)
	} else if !actionPattern.MatchString(m.Remediation) {
		addf("custom.remediation %q must be an action name such as ec2_revoke_ingress, or %q", m.Remediation, RemediationNone)
	}

	// An empty list is allowed: a user policy need not map to a benchmark.
	if m.Controls, err = customStrings(a.Custom, "controls"); err != nil {
		addf("%v", err)
	}

	if m.DefaultMode, err = customString(a.Custom, "default_mode"); err != nil {
		addf("%v", err)
	} else if !slices.Contains(Modes, m.DefaultMode) {
		addf("custom.default_mode %q must be one of %s", m.DefaultMode, strings.Join(Modes, ", "))
	}

	// Optional: most controls judge whatever planes their kinds have.
	if _, ok := a.Custom["planes"]; ok {
		if m.Planes, err = customStrings(a.Custom, "planes"); err != nil {
			addf("%v", err)
		} else if len(m.Planes) == 0 {
			addf("custom.planes must list plan, live or both, or be left out")
		}
		for _, pl := range m.Planes {
			if pl != "plan" && pl != "live" {
				addf("custom.planes: %q must be plan or live", pl)
			}
		}
	}

	if len(problems) > 0 {
		return Metadata{}, fmt.Errorf("METADATA of package %s: %s", pkg, strings.Join(problems, "; "))
	}
	return m, nil
}

func customString(custom map[string]any, key string) (string, error) {
	v, ok := custom[key]
	if !ok {
		return "", fmt.Errorf("custom.%s is missing", key)
	}
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("custom.%s must be a non-empty string, got %v", key, v)
	}
	return strings.TrimSpace(s), nil
}

func customStrings(custom map[string]any, key string) ([]string, error) {
	v, ok := custom[key]
	if !ok {
		return nil, fmt.Errorf("custom.%s is missing", key)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("custom.%s must be a YAML list of strings, got %v", key, v)
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("custom.%s[%d] must be a non-empty string, got %v", key, i, e)
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out, nil
}
