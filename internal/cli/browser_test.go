package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	// chromedp: drives headless Chromium, so layout is measured as a browser draws it.
	"github.com/chromedp/chromedp"
)

// sharedDemo is one demo (seed 1) per test binary, written once and read by every test
// that only looks at its output (the golden fingerprint, the browser layout check).
var sharedDemo = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "socrx-demo-*")
	if err != nil {
		return "", fmt.Errorf("demo dir: %w", err)
	}
	sharedDemoPath = dir
	var out, errb bytes.Buffer
	if code := Main([]string{"demo", "--dir", dir, "--seed", "1", "--log-format", "json"}, &out, &errb); code != 0 {
		return dir, fmt.Errorf("demo exited %d: %s", code, errb.String())
	}
	return dir, nil
})

// demoDir returns the shared demo's folder; TestMain removes it after the run.
func demoDir(t *testing.T) string {
	t.Helper()
	dir, err := sharedDemo()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// sharedDemoPath is set once the shared demo's folder exists, for TestMain to remove
// (calling sharedDemo there would write a demo no test asked for).
var sharedDemoPath string

// removeSharedDemo deletes the shared demo if a test wrote one.
func removeSharedDemo() {
	if sharedDemoPath != "" {
		os.RemoveAll(sharedDemoPath)
	}
}

// browserWidths are a phone, a tablet and a laptop, as issue 21 asks.
var browserWidths = []int64{390, 768, 1280}

// findBrowser is the first Chromium-like browser on PATH. CI installs one (.ci/run), so
// there a missing browser fails rather than skips.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH (chromium, chromium-browser, google-chrome): .ci/run should have installed it")
	}
	t.Skip("no Chromium on PATH (chromium, chromium-browser, google-chrome)")
	return ""
}

// layoutProbe opens every <details> (content a reader can reveal must fit too) and
// returns the page's scroll width, the viewport's width, every svg or table whose right
// edge passes the viewport outside a horizontal scroll box, and every box of text
// squeezed to a few characters a line.
const layoutProbe = `(() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const vw = window.innerWidth;
  const scrolls = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const heading = el => {
    const h = document.evaluate('preceding::*[self::h1 or self::h2 or self::h3 or self::h4][1]',
      el, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
    return h ? h.textContent.trim().slice(0, 80) : '';
  };
  const bad = [], squeezed = [];
  for (const el of document.querySelectorAll('svg, table')) {
    const r = el.getBoundingClientRect();
    if (r.right > vw + 0.5 && !scrolls(el)) {
      bad.push({tag: el.tagName.toLowerCase(), cls: el.getAttribute('class') || '', heading: heading(el),
        right: Math.round(r.right), width: Math.round(r.width)});
    }
  }
  // a box of text squeezed to a few characters a line (as provenance once ran at one
  // character a line) fits the page but cannot be read
  for (const el of document.querySelectorAll('main p, main li, main dt, main dd, main td, main th, main figcaption')) {
    const r = el.getBoundingClientRect();
    const text = el.textContent.trim();
    if (r.width > 0 && r.width < 48 && text.length >= 12) {
      squeezed.push({tag: el.tagName.toLowerCase(), cls: el.getAttribute('class') || '', heading: heading(el),
        text: text.slice(0, 40), width: Math.round(r.width)});
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, bad: bad, squeezed: squeezed};
})()`

type layout struct {
	ScrollWidth int64 `json:"scrollWidth"`
	InnerWidth  int64 `json:"innerWidth"`
	Bad         []struct {
		Tag, Cls, Heading string
		Right, Width      int64
	} `json:"bad"`
	Squeezed []struct {
		Tag, Cls, Heading, Text string
		Width                   int64
	} `json:"squeezed"`
}

// browserPages are the overview and every scheme report of the demo's latest period.
func browserPages(t *testing.T, reports string) []string {
	t.Helper()
	periods, err := filepath.Glob(filepath.Join(reports, "*", "*.html"))
	if err != nil || len(periods) == 0 {
		t.Fatalf("no reports under %s: %v", reports, err)
	}
	sort.Strings(periods)
	latest := filepath.Dir(periods[len(periods)-1])
	pages, err := filepath.Glob(filepath.Join(latest, "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 2 {
		t.Fatalf("%d scheme reports in %s, want at least 2", len(pages), latest)
	}
	return append([]string{filepath.Join(reports, "index.html")}, pages...)
}

// newBrowser starts one headless browser for every page of a test (a shared allocator:
// starting Chromium is most of the cost).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := findBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 60*time.Second)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })
	// start it now, so a browser that cannot start fails once and plainly
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	return bctx
}

// load opens a page in the browser's tab.
func load(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("locating %s: %w", path, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.ToSlash(abs))); err != nil {
		return fmt.Errorf("loading %s: %w", path, err)
	}
	return nil
}

// measure sets the viewport's width and runs layoutProbe on the loaded page: a page is
// laid out again at each width without loading it again, which keeps the test quick.
func measure(ctx context.Context, path string, width int64) (layout, error) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		return layout{}, fmt.Errorf("setting the viewport to %d px: %w", width, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutProbe))
	if err != nil {
		return layout{}, fmt.Errorf("measuring %s: %w", path, err)
	}
	if got.InnerWidth != width {
		return got, fmt.Errorf("viewport of %s is %d px wide, want %d", path, got.InnerWidth, width)
	}
	return got, nil
}

// probeFixture has one of each fault the probe must see, and a wide table it must let
// pass because it scrolls in its own box.
const probeFixture = `<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h2>Too wide</h2><svg class="chart" width="900" height="20"></svg>
<h2>Scrolls</h2><div style="overflow-x:auto"><table style="width:900px"><tr><td>x</td></tr></table></div>
<h2>Squeezed</h2><dl style="display:grid;grid-template-columns:max-content 1fr"><dt>a label long enough to take nearly all of a phone's width</dt><dd style="word-break:break-all">0123456789abcdef0123456789</dd></dl>
</main></body></html>`

// TestBrowserWidths loads the demo's overview and each scheme report at a phone's, a
// tablet's and a laptop's width in headless Chromium: no page may scroll sideways, no
// chart or table may run past the viewport except inside a scroll box, and no text may
// be squeezed to a few characters a line.
func TestBrowserWidths(t *testing.T) {
	ctx := newBrowser(t)
	t.Run("probe", func(t *testing.T) {
		fixture := filepath.Join(t.TempDir(), "probe.html")
		if err := os.WriteFile(fixture, []byte(probeFixture), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := load(ctx, fixture); err != nil {
			t.Fatal(err)
		}
		got, err := measure(ctx, fixture, 390)
		if err != nil {
			t.Fatal(err)
		}
		if got.ScrollWidth <= got.InnerWidth || len(got.Bad) != 1 || got.Bad[0].Tag != "svg" || got.Bad[0].Heading != "Too wide" ||
			len(got.Squeezed) != 1 || got.Squeezed[0].Tag != "dd" {
			t.Fatalf("the probe saw %+v; want the page too wide, the svg under \"Too wide\" and the dd squeezed", got)
		}
	})
	reports := filepath.Join(demoDir(t), "reports")
	for _, path := range browserPages(t, reports) {
		rel, _ := filepath.Rel(reports, path)
		if err := load(ctx, path); err != nil {
			t.Fatal(err)
		}
		for _, w := range browserWidths {
			t.Run(fmt.Sprintf("%s@%d", filepath.ToSlash(rel), w), func(t *testing.T) {
				got, err := measure(ctx, path, w)
				if err != nil {
					t.Fatal(err)
				}
				if got.ScrollWidth > got.InnerWidth {
					t.Errorf("page is %d px wide in a %d px viewport", got.ScrollWidth, got.InnerWidth)
				}
				for _, b := range got.Bad {
					t.Errorf("<%s class=%q> under %q ends at %d px (%d px wide), past the %d px viewport and not in a scroll box",
						b.Tag, b.Cls, b.Heading, b.Right, b.Width, got.InnerWidth)
				}
				for _, b := range got.Squeezed {
					t.Errorf("<%s class=%q> under %q is %d px wide for %q: a few characters a line", b.Tag, b.Cls, b.Heading, b.Width, b.Text)
				}
			})
		}
	}
}

// TestBrowserScreenshots writes full-page screenshots of the overview and one scheme
// report at each width to SOCRX_SHOTS, for a person to look at; it does nothing
// unless that is set. SOCRX_SHOTS_PERIOD picks the report's period (default the latest,
// whose follow-up windows are mostly still open).
func TestBrowserScreenshots(t *testing.T) {
	out := os.Getenv("SOCRX_SHOTS")
	if out == "" {
		t.Skip("set SOCRX_SHOTS to a folder to write screenshots")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	reports := filepath.Join(demoDir(t), "reports")
	pages := browserPages(t, reports)
	scheme := pages[1]
	for _, p := range pages {
		if strings.HasSuffix(p, "SP01.html") {
			scheme = p
		}
	}
	if period := os.Getenv("SOCRX_SHOTS_PERIOD"); period != "" {
		scheme = filepath.Join(reports, period, filepath.Base(scheme))
	}
	for _, path := range []string{pages[0], scheme} {
		if err := load(ctx, path); err != nil {
			t.Fatal(err)
		}
		for _, w := range browserWidths {
			if _, err := measure(ctx, path, w); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot of %s at %d: %v", path, w, err)
			}
			name := fmt.Sprintf("%s-%d.png", strings.TrimSuffix(filepath.Base(path), ".html"), w)
			if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
