package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format is an output format of `rectify report`.
type Format string

// Formats.
const (
	Text     Format = "text"
	Markdown Format = "markdown"
	HTML     Format = "html"
	CSV      Format = "csv"
	JSON     Format = "json"
)

// Formats lists every format, for help texts and validation.
var Formats = []Format{Text, Markdown, HTML, CSV, JSON}

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	if f := Format(s); slices.Contains(Formats, f) {
		return f, nil
	}
	return "", fmt.Errorf("format %q: want text, markdown, html, csv or json", s)
}

// Render writes the report in format f.
func (r Report) Render(w io.Writer, f Format) error {
	switch f {
	case JSON:
		return writeJSON(w, r)
	case CSV:
		return writeCSV(w, r.Rows)
	case Markdown:
		return r.markdown(w)
	case HTML:
		return renderHTML(w, "report", r)
	case Text, "":
		return r.text(w)
	}
	return fmt.Errorf("report: unknown format %q", f)
}

// Render writes the evidence in format f.
func (e Evidence) Render(w io.Writer, f Format) error {
	switch f {
	case JSON:
		return writeJSON(w, e)
	case CSV:
		return writeCSV(w, e.Violations)
	case Markdown:
		return e.markdown(w)
	case HTML:
		return renderHTML(w, "evidence", e)
	case Text, "":
		return e.text(w)
	}
	return fmt.Errorf("report: unknown format %q", f)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeCSV writes one line per row with the row's JSON field names as the
// header, in the struct's order: the CSV has the columns of the JSON.
func writeCSV[T any](w io.Writer, rows []T) error {
	cw := csv.NewWriter(w)
	typ := reflect.TypeFor[T]()
	var header []string
	for i := range typ.NumField() {
		header = append(header, jsonName(typ.Field(i)))
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range rows {
		v := reflect.ValueOf(row)
		line := make([]string, v.NumField())
		for i := range line {
			line[i] = csvValue(v.Field(i))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// csvValue writes a value as JSON would, without quotes: null is empty.
func csvValue(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v.Interface())
}

// duration writes seconds for people: 1.3s, 42s, 3m05s, 4h02m, 2d04h.
func duration(seconds float64) string {
	if seconds < 9.95 && seconds != math.Trunc(seconds) {
		return fmt.Sprintf("%.1fs", seconds)
	}
	d := time.Duration(math.Round(seconds)) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// dur writes an optional duration; "-" when there is none.
func dur(seconds *float64) string {
	if seconds == nil {
		return "-"
	}
	return duration(*seconds)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "the beginning"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// orAll names a filter that is not set.
func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

func daysLeft(e Exemption) string {
	switch {
	case e.DaysLeft == nil:
		return "-"
	case e.Expired:
		return "expired"
	}
	return fmt.Sprintf("%d days", *e.DaysLeft)
}
