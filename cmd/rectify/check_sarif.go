package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rectifyhq/rectify/policies"
)

// SARIF 2.1.0, in the subset GitHub code scanning reads: rules from each
// policy's METADATA, one result per finding, each located at its resource
// block in the .tf files (--source-dir), else in the plan file (GitHub needs
// a physical location), and named by its Terraform address (a logical
// location). An undetermined verdict is a result of kind "review" (level
// "none", as SARIF requires of a kind other than "fail").
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	rectifyURI   = "https://github.com/rectifyhq/rectify"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	ColumnKind  string            `json:"columnKind"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifHelp      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Kind                string             `json:"kind,omitempty"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// sarifLevels maps severities to SARIF levels; securitySeverity gives
// GitHub's score (over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, below
// that low), so alerts sort as rectify ranks them.
var (
	sarifLevels      = map[string]string{"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note", "INFORMATIONAL": "note"}
	securitySeverity = map[string]string{"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0"}
)

func writeCheckSARIF(w io.Writer, r *checkReport) error {
	uri := sarifURI(r.Plan)
	locate := planLocator(r.planText)
	ruleIndex := map[string]int{}
	rules := make([]sarifRule, 0, len(r.policies))
	for i, m := range r.policies {
		ruleIndex[m.ID] = i
		rules = append(rules, sarifRuleFor(m))
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		physical := sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: locate(f.Address)}
		if l := f.Location; l != nil {
			physical = sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifFileURI(l.File)},
				Region: sarifRegion{StartLine: l.Line, StartColumn: l.Column, EndLine: l.EndLine, EndColumn: l.EndColumn}}
		}
		res := sarifResult{
			RuleID:    f.PolicyID,
			RuleIndex: ruleIndex[f.PolicyID],
			Level:     sarifLevels[f.Severity],
			Message:   sarifText{Text: f.Message},
			Locations: []sarifLocation{{
				PhysicalLocation: physical,
				LogicalLocations: []sarifLogical{{Name: f.Address, FullyQualifiedName: f.Address, Kind: "resource"}},
			}},
			// Stable across runs and plan layouts: the plan file changes
			// every time, the policy and the address do not.
			PartialFingerprints: map[string]string{"primaryLocationLineHash": sarifFingerprint(f.PolicyID, f.Address) + ":1"},
			Properties: map[string]any{
				"severity": f.Severity, "resource_type": f.Type, "controls": f.Controls,
				"remediation": f.Remediation, "params": f.Params, "status": f.Status,
			},
		}
		if f.Status == statusUndetermined {
			res.Kind, res.Level = "review", "none"
			res.Message.Text += " (undetermined until apply: " + strings.Join(f.Unknown, ", ") + ")"
			res.Properties["unknown"] = f.Unknown
		}
		if f.Suppressed {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: f.Reason}}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool:        sarifTool{Driver: sarifDriver{Name: "rectify", Version: version, InformationURI: rectifyURI, Rules: rules}},
			ColumnKind:  "unicodeCodePoints",
			Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
			Results:     results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func sarifRuleFor(m policies.Metadata) sarifRule {
	// GitHub filters alerts by tag; SARIF wants the tags unique.
	tags := slices.Compact(slices.Sorted(slices.Values(append([]string{"security", "terraform"}, m.Controls...))))
	props := map[string]any{"tags": tags, "precision": "high", "resource_types": m.ResourceTypes, "severity": m.Severity}
	if s, ok := securitySeverity[m.Severity]; ok {
		props["security-severity"] = s
	}
	controls := strings.Join(m.Controls, ", ")
	remediation := m.Remediation
	if remediation == policies.RemediationNone {
		remediation = "none (reported only)"
	}
	return sarifRule{
		ID:               m.ID,
		Name:             m.ID,
		ShortDescription: sarifText{Text: m.Title},
		FullDescription:  sarifText{Text: m.Description},
		Help: sarifHelp{
			Text: fmt.Sprintf("%s\n\nControls: %s\nResource types: %s\nLive remediation: %s (default mode %s)",
				m.Description, controls, strings.Join(m.ResourceTypes, ", "), remediation, m.DefaultMode),
			Markdown: fmt.Sprintf("**%s**\n\n%s\n\n- Controls: %s\n- Resource types: `%s`\n- Live remediation: `%s` (default mode `%s`)",
				m.Title, m.Description, controls, strings.Join(m.ResourceTypes, "`, `"), remediation, m.DefaultMode),
		},
		DefaultConfiguration: sarifConfig{Level: sarifLevels[m.Severity]},
		Properties:           props,
	}
}

// sarifURI is the plan file as a repository-relative URI; standard input
// has no file, so results point at the conventional plan.json, the same
// on every run.
func sarifURI(name string) string {
	if name == "stdin" {
		return "plan.json"
	}
	return sarifFileURI(name)
}

// sarifFileURI is a path as code scanning matches it against the
// repository: relative, with slashes. An absolute path under the working
// directory (the checkout) is made relative to it; another stays a file
// URI.
func sarifFileURI(p string) string {
	if filepath.IsAbs(p) {
		wd, err := os.Getwd()
		rel, rerr := filepath.Rel(wd, p)
		if err != nil || rerr != nil || strings.HasPrefix(rel, "..") {
			return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
		}
		p = rel
	}
	return filepath.ToSlash(filepath.Clean(p))
}

func sarifFingerprint(policyID, address string) string {
	sum := sha256.Sum256([]byte(policyID + "\x00" + address))
	return hex.EncodeToString(sum[:8])
}

// addressKey finds every "address": "..." in the plan text.
var addressKey = regexp.MustCompile(`"address"\s*:\s*("(?:[^"\\]|\\.)*")`)

// planLocator returns where each resource address first appears in the plan
// text (planned_values, which comes first, or resource_changes), so a SARIF
// result points at the resource rather than at line 1. terraform show
// writes the plan on one line of megabytes, so positions come from one
// sweep over the text, not one scan per finding.
func planLocator(text []byte) func(address string) sarifRegion {
	type span struct{ start, end int }
	first := map[string]span{}
	var starts []int
	for _, m := range addressKey.FindAllSubmatchIndex(text, -1) {
		var addr string
		if json.Unmarshal(text[m[2]:m[3]], &addr) != nil {
			continue
		}
		if _, seen := first[addr]; !seen {
			first[addr] = span{m[2], m[3]}
			starts = append(starts, m[2])
		}
	}
	// starts is increasing: matches come in text order.
	pos := make(map[int]sarifRegion, len(starts))
	line, col, at := 1, 1, 0
	for _, off := range starts {
		for at < off {
			r, size := utf8.DecodeRune(text[at:])
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			at += size
		}
		pos[off] = sarifRegion{StartLine: line, StartColumn: col, EndLine: line}
	}
	return func(address string) sarifRegion {
		sp, ok := first[address]
		if !ok {
			return sarifRegion{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1}
		}
		reg := pos[sp.start]
		reg.EndColumn = reg.StartColumn + utf8.RuneCount(text[sp.start:sp.end])
		return reg
	}
}
