package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML as CI systems read it (GitHub, GitLab, Jenkins): one test suite
// per resource, one test case per resource × policy that judges its type. A
// violation is a failure, a suppressed one is skipped; passing policies are
// passing cases, so a report shows what was checked, not only what failed.
// An undetermined verdict is skipped, or a failure with
// --fail-on-undetermined. With --source-dir each case carries the file and
// line of its resource block (GitLab and Jenkins read them).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"` // keeps the newlines readable
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func writeCheckJUnit(w io.Writer, r *checkReport) error {
	titles := map[string]string{}
	for _, m := range r.policies {
		titles[m.ID] = m.Title
	}
	type key struct{ addr, policy string }
	found := map[key][]checkFinding{}
	for _, f := range r.Findings {
		k := key{f.Address, f.PolicyID}
		found[k] = append(found[k], f)
	}

	out := junitSuites{Name: "rectify check " + r.Plan}
	for _, res := range r.Resources {
		s := junitSuite{Name: res.Address}
		for _, id := range res.Policies {
			c := junitCase{ClassName: res.Address, Name: id + ": " + titles[id]}
			if l := res.Location; l != nil {
				c.File, c.Line = l.File, l.Line
			}
			fs := found[key{res.Address, id}]
			switch {
			case len(fs) == 0:
			case allSuppressed(fs):
				c.Skipped = &junitSkipped{Message: "suppressed: " + fs[0].Reason}
				s.Skipped++
			case fs[0].Status == statusUndetermined && !r.FailOnUndetermined:
				c.Skipped = &junitSkipped{Message: "undetermined until apply: " + fs[0].Message}
				s.Skipped++
			default:
				c.Failure = junitFailureFor(fs)
				s.Failures++
			}
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func allSuppressed(fs []checkFinding) bool {
	for _, f := range fs {
		if !f.Suppressed {
			return false
		}
	}
	return true
}

// junitFailureFor folds one policy's denies on one resource into a failure:
// its message is the first deny, its text every deny with the controls.
func junitFailureFor(fs []checkFinding) *junitFailure {
	var b strings.Builder
	var open []checkFinding
	for _, f := range fs {
		if !f.Suppressed {
			open = append(open, f)
			fmt.Fprintf(&b, "%s\n", f.Message)
		}
	}
	f := open[0]
	if f.Status == statusUndetermined {
		fmt.Fprintf(&b, "undetermined until apply: %s\n", strings.Join(f.Unknown, ", "))
	}
	fmt.Fprintf(&b, "severity: %s\ncontrols: %s\nremediation: %s\n", f.Severity, strings.Join(f.Controls, ", "), f.Remediation)
	if f.Location != nil {
		fmt.Fprintf(&b, "at: %s\n", f.Location)
	}
	return &junitFailure{Message: f.Message, Type: f.Severity, Text: b.String()}
}
