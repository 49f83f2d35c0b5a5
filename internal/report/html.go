package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// The HTML report is one self-contained file an auditor can open anywhere:
// inline CSS and an inline SVG chart, no script, no external asset (its
// Content-Security-Policy forbids loading any).

//go:embed report.html.tmpl
var htmlTemplate string

var pages = template.Must(template.New("page").Funcs(template.FuncMap{
	"dur":      dur,
	"duration": duration,
	"percent":  percent,
	"stamp":    stamp,
	"day":      day,
	"orAll":    orAll,
	"orNone":   orNone,
	"daysLeft": daysLeft,
	"chart":    newChart,
	"rfc3339":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"sub":  func(a, b int) int { return a - b },
	"ptr":  ptr[float64],
}).Parse(htmlTemplate))

func renderHTML(w io.Writer, name string, data any) error {
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("render html %s: %w", name, err)
	}
	return nil
}

// Chart colours the screenshot test looks for.
const (
	ChartColor  = "#1f6feb"
	HeaderColor = "#0f2e4a"
)

// chart is the SVG of MTTR over time, laid out in Go so the template only
// places numbers.
type chart struct {
	Width, Height  int
	Left, Right    int
	Top, Bottom    int
	Line           string
	Points         []chartPoint
	YTicks, XTicks []chartTick
	Empty          bool
	Color          string
}

type chartPoint struct {
	X, Y  float64
	Label string
}

type chartTick struct {
	Pos    float64
	Label  string
	Anchor string // of an x label: start, middle or end, so none leaves the box
}

func newChart(r Report) chart {
	c := chart{Width: 760, Height: 240, Left: 70, Right: 740, Top: 20, Bottom: 200, Color: ChartColor}
	if len(r.MTTR) == 0 {
		c.Empty = true
		return c
	}
	from, to := r.Period.From, r.Period.To
	if from.IsZero() || from.After(r.MTTR[0].Start) {
		from = r.MTTR[0].Start
	}
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	top := 0.0
	for _, p := range r.MTTR {
		top = math.Max(top, p.MTTRMean)
	}
	top = niceCeil(top)
	x := func(t time.Time) float64 {
		return float64(c.Left) + float64(c.Right-c.Left)*float64(t.Sub(from))/float64(to.Sub(from))
	}
	y := func(s float64) float64 { return float64(c.Bottom) - float64(c.Bottom-c.Top)*s/top }
	var line []string
	for _, p := range r.MTTR {
		pt := chartPoint{X: x(p.Start), Y: y(p.MTTRMean),
			Label: fmt.Sprintf("%s: %s over %d %s", p.Start.UTC().Format("2006-01-02 15:04"), duration(p.MTTRMean), p.Fixes, plural(p.Fixes, "fix", "fixes"))}
		c.Points = append(c.Points, pt)
		line = append(line, fmt.Sprintf("%.1f,%.1f", pt.X, pt.Y))
	}
	c.Line = strings.Join(line, " ")
	for i := range 5 {
		v := top * float64(i) / 4
		c.YTicks = append(c.YTicks, chartTick{Pos: y(v), Label: duration(v)})
	}
	for i := range 4 {
		t := from.Add(time.Duration(float64(to.Sub(from)) * float64(i) / 3))
		format := "01-02 15:04"
		if to.Sub(from) > 3*24*time.Hour {
			format = "2006-01-02"
		}
		anchor := []string{"start", "middle", "middle", "end"}[i]
		c.XTicks = append(c.XTicks, chartTick{Pos: x(t), Label: t.UTC().Format(format), Anchor: anchor})
	}
	return c
}

// niceCeil rounds a duration in seconds up to a round axis maximum.
func niceCeil(s float64) float64 {
	for _, step := range []float64{10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400} {
		if s <= step {
			return step
		}
	}
	return math.Ceil(s/86400) * 86400
}
