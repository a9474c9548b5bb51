package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // FullScreenshot with a quality is a JPEG
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// The browser tests drive Debian's chromium, headless, against the service
// on a loopback httptest server. A proxy that answers nothing stands in for
// the rest of the network, so a page that reached for another host would
// fail to load it, and the test records every request anyway.
//
// Without a browser the tests skip, saying so; with CI=true they must run.

// chromiumPath finds the browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and no chromium: the browser tests must run (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH: the browser tests skip (apt-get install -y chromium to run them)")
	return ""
}

// tab is one browser tab on the test server, recording what the page did.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	requests []string
	problems []string // console errors, exceptions, CSP violations
}

// browserSite starts the service and a browser, and returns a new-tab
// function over them.
func browserSite(t *testing.T, opt apptest.Options) (*apptest.Server, func() *tab) {
	t.Helper()
	exe := chromiumPath(t)
	s := apptest.New(t, opt)
	srv := httptest.NewServer(s.App.Handler)
	t.Cleanup(srv.Close)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.ProxyServer("http://127.0.0.1:9"), // the discard port: nothing answers there
			chromedp.Flag("proxy-bypass-list", "<-loopback>;127.0.0.1"),
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
			chromedp.WindowSize(1280, 900))...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return s, func() *tab {
		tb := &tab{t: t, base: srv.URL}
		ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithListener(tb.listen))
		ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
		t.Cleanup(func() { cancelTimeout(); cancel() })
		tb.ctx = ctx
		tb.must(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, cdplog.Enable, struct{}{})
			return err
		}))
		return tb
	}
}

func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		tb.requests = append(tb.requests, e.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			tb.problems = append(tb.problems, fmt.Sprintf("console %s", e.Type))
		}
	case *runtime.EventExceptionThrown:
		tb.problems = append(tb.problems, "exception: "+e.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		// A refused answer (401, 404, 422) is logged as "Failed to load
		// resource" at error level: that is the page working, not a fault.
		if strings.Contains(e.Entry.Text, "Content Security Policy") ||
			(e.Entry.Level == cdplog.EntryLevelError && !strings.HasPrefix(e.Entry.Text, "Failed to load resource")) {
			tb.problems = append(tb.problems, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	}
}

func (tb *tab) must(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	r, err := chromedp.Run(tb.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		tb.t.Fatalf("%s of %s: %v", name, sel, err)
	}
	return r.Value
}

// open navigates to path on the test server and waits for the body.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.must(chromedp.Navigate(tb.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// submit clicks a form's button and waits for the next page's body hook.
func (tb *tab) submit(button, nextPage string) {
	tb.t.Helper()
	tb.must(chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitReady(chromedp.CSS(`body[data-page="`+nextPage+`"]`)))
}

// noScript turns script execution off for the tab, as a citizen with
// JavaScript disabled has it.
func (tb *tab) noScript() {
	tb.t.Helper()
	tb.must(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}

// checkClean fails on any request that left the test server and on any
// console error, exception or CSP violation the tab reported.
func (tb *tab) checkClean() {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.requests) == 0 {
		tb.t.Error("the tab recorded no request at all")
	}
	for _, u := range tb.requests {
		if !strings.HasPrefix(u, tb.base+"/") && !strings.HasPrefix(u, "data:") {
			tb.t.Errorf("a page requested %s", u)
		}
	}
	for _, p := range tb.problems {
		tb.t.Errorf("the browser reported: %s", p)
	}
}

func TestBrowserCitizenPagesWithoutScript(t *testing.T) {
	s, newTab := browserSite(t, apptest.Options{})
	d := register(t, s)
	tb := newTab()
	tb.noScript()

	// The lookup: the receipt's QR target, the PIN typed in.
	tb.open("/tra-cuu/" + d.Code)
	if got := tb.attr("#code", "value"); got != d.Code {
		t.Fatalf("the QR target fills in %q", got)
	}
	tb.must(chromedp.SendKeys(chromedp.CSS("#pin"), d.Pin))
	tb.submit("#lookup-submit", "lookup-result")
	if got := tb.text("#status"); got != "Đã tiếp nhận" {
		t.Errorf("#status %q", got)
	}
	if got := tb.text("#code"); got != d.Code {
		t.Errorf("#code %q", got)
	}

	// Feedback: sent, then followed with its PIN.
	tb.open("/phan-anh")
	tb.must(chromedp.SetValue(chromedp.CSS("#category"), "conduct"),
		chromedp.SendKeys(chromedp.CSS("#title"), "Cán bộ hướng dẫn chưa rõ"),
		chromedp.SendKeys(chromedp.CSS("#content"), "Tôi phải đi lại hai lần."))
	tb.submit("#feedback-submit", "feedback-sent")
	code, pin := tb.text("#feedback-code"), tb.text("#feedback-pin")
	if code == "" || len(pin) != 6 {
		t.Fatalf("feedback code %q pin %q", code, pin)
	}
	item := apptest.Want(t, s.Get("/api/v1/feedback/"+code, s.Token("admin")), http.StatusOK).JSON(t)
	if item["title"] != "Cán bộ hướng dẫn chưa rõ" || item["category"] != "conduct" {
		t.Errorf("staff see %v", item)
	}
	tb.open("/phan-anh/" + code)
	tb.must(chromedp.SendKeys(chromedp.CSS("#pin"), pin))
	tb.submit("#feedback-lookup-submit", "feedback-status")
	if got := tb.text("#status"); got != "Đã tiếp nhận" {
		t.Errorf("feedback #status %q", got)
	}

	// The rating of the returned dossier.
	act(t, s, "officer", d.Code, map[string]any{"action": "start"})
	act(t, s, "leader", d.Code, map[string]any{"action": "resolve", "outcome": "approved"})
	act(t, s, "clerk", d.Code, map[string]any{"action": "return"})
	// The citizen looks the dossier up again and rates it from the result
	// page itself: the PIN travels in the embedded form's hidden field.
	tb.open("/tra-cuu/" + d.Code)
	tb.must(chromedp.SendKeys(chromedp.CSS("#pin"), d.Pin))
	tb.submit("#lookup-submit", "lookup-result")
	if got := tb.attr("#next-step", "data-kind"); got != "rate" {
		t.Fatalf("returned: next step %q", got)
	}
	tb.must(chromedp.Click(chromedp.CSS("#score-5")))
	tb.submit("#rating-submit", "rating-done")
	r := apptest.Want(t, s.Get("/api/v1/public/dossiers/"+d.Code+"?pin="+d.Pin, ""), http.StatusOK).JSON(t)
	if r["rated"] != true {
		t.Errorf("the rating is not recorded: %v", r)
	}
	tb.checkClean()
}

func TestBrowserPagesFitAPhone(t *testing.T) {
	s, newTab := browserSite(t, apptest.Options{})
	d := register(t, s)
	tb := newTab()
	tb.must(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	for _, path := range []string{"/", "/tra-cuu", "/tra-cuu/" + d.Code, "/phan-anh", "/phan-anh/X", "/danh-gia/" + d.Code, "/cong-khai", "/khong-co"} {
		tb.open(path)
		wide, err := chromedp.Run(tb.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if wide > 360 {
			t.Errorf("%s scrolls sideways at 360 px: %v px wide", path, wide)
		}
		low, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('button, input[type=submit], .button')]
			.filter(b => b.getBoundingClientRect().height < 44).map(b => b.id || b.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		if len(low) > 0 {
			t.Errorf("%s: buttons lower than 44 px: %v", path, low)
		}
	}
	tb.open("/")
	shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	if n := distinctColours(t, shot); n < 8 {
		t.Errorf("the home page's screenshot has %d colours: blank", n)
	}
	tb.checkClean()
}

// distinctColours counts the colours of a screenshot (PNG or JPEG), up to
// 1000: a blank page has one or two.
func distinctColours(t *testing.T, data []byte) int {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
