package devstack

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/report"
)

// chromium finds Debian's Chromium: RECTIFY_CHROMIUM, /usr/bin/chromium
// (`apt-get install -y chromium`, which .ci/run does), or chromium on PATH.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("RECTIFY_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("headless Chromium not found: apt-get install -y chromium (.ci/run installs it), or set RECTIFY_CHROMIUM")
	return ""
}

// Chromium's window for the screenshot.
const shotWidth, shotHeight = 1280, 1600

// browse runs headless Chromium on page with args and returns its
// standard output, and the page's console messages from its log (the
// report has no script, so any is a load error or a blocked asset).
func browse(t *testing.T, dir, page string, args ...string) (stdout string, console []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"),
		"--enable-logging=stderr", "--v=0", fmt.Sprintf("--window-size=%d,%d", shotWidth, shotHeight),
	}
	cmd := exec.CommandContext(ctx, chromium(t), append(append(base, args...), "file://"+page)...)
	// Chromium forks a zygote and renderers that inherit its output pipes:
	// killing only the browser on the deadline would leave Run waiting on
	// them for ever (a CI run once hung here for 45 minutes). Kill the
	// whole process group, and stop waiting on the pipes soon after.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	// Renderers outlive a browser that exited on its own too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errOut.String())
	}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return out.String(), console
}

// checkInChromium renders the HTML report in headless Chromium: the DOM it
// parsed holds the chart and the tables, nothing was logged to the
// console, and the screenshot shows the header, the chart's line and
// points, and a recommendation badge in their colours.
func checkInChromium(t *testing.T, html string, points int) {
	t.Helper()
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}

	dom, console := browse(t, dir, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("the report logged to the browser console:\n%s", strings.Join(console, "\n"))
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<svg[^>]*aria-label="MTTR over time"`),
		regexp.MustCompile(`<polyline points="[0-9., ]+"`),
		regexp.MustCompile(`<tr data-account="` + Account + `"><td>` + Account + `</td><td class="n big">2</td><td class="n big">1</td><td class="n big">1</td>`),
		regexp.MustCompile(`data-control="AWS FSBP EC2.13" data-account="` + Account + `">\s*<td class="control">AWS FSBP EC2.13</td><td>` + Account + `</td><td>enforce</td><td class="n">1</td><td class="n">1</td>`),
		regexp.MustCompile(`<span class="badge keep">keep approving</span>`),
	} {
		if !want.MatchString(dom) {
			t.Errorf("the rendered DOM lacks %s", want)
		}
	}
	if n := strings.Count(dom, "<circle "); n != points {
		t.Errorf("the chart has %d points, want %d", n, points)
	}

	shot := filepath.Join(dir, "report.png")
	if _, console := browse(t, dir, page, "--screenshot="+shot, "--hide-scrollbars"); len(console) > 0 {
		t.Errorf("the screenshot run logged to the console:\n%s", strings.Join(console, "\n"))
	}
	if keep := os.Getenv("RECTIFY_KEEP_SCREENSHOT"); keep != "" {
		if b, err := os.ReadFile(shot); err == nil {
			_ = os.WriteFile(keep, b, 0o644)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != shotWidth || b.Dy() != shotHeight {
		t.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), shotWidth, shotHeight)
	}
	counts := countColors(img, report.HeaderColor, report.ChartColor, "#9a6700", "#ffffff")
	for _, c := range []struct {
		what, color string
		least       int
	}{
		{"the header band", report.HeaderColor, shotWidth * 60},
		{"the chart's line, points and legend", report.ChartColor, 140},
		{"the keep-approving badge", "#9a6700", 300},
		{"the page's white sections", "#ffffff", shotWidth * shotHeight / 4},
	} {
		if counts[c.color] < c.least {
			t.Errorf("the screenshot shows %d pixels of %s (%s), want at least %d: the page did not render as designed", counts[c.color], c.what, c.color, c.least)
		}
	}
}

// countColors counts the pixels of each exact colour (#rrggbb).
func countColors(img image.Image, hexes ...string) map[string]int {
	want := map[color.RGBA]string{}
	for _, h := range hexes {
		var r, g, b uint8
		_, _ = fmt.Sscanf(h, "#%02x%02x%02x", &r, &g, &b)
		want[color.RGBA{r, g, b, 255}] = h
	}
	out := map[string]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if h, ok := want[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}]; ok {
				out[h]++
			}
		}
	}
	return out
}
