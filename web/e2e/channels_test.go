package e2e_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"

	"patentwall/market"
	"patentwall/market/demo"
	"patentwall/market/markettest"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/web"
)

// channelServer serves a small demo catalogue (with its walls and operator accounts) on addr, or on a
// random local port when addr is ""; stop shuts it down as a server going away does.
type channelServer struct {
	store *market.Store
	idx   *bleve.Index
	addr  string
	app   *web.App
}

func (cs *channelServer) start(t *testing.T) {
	t.Helper()
	if cs.addr == "" {
		cs.addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	// The port was just freed by stop: a few tries cover the kernel's lag.
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", cs.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	cs.addr = ln.Addr().String()
	if cs.app, err = web.New(web.Deps{Store: cs.store, Index: cs.idx, BaseURL: "http://" + cs.addr}); err != nil {
		t.Fatal(err)
	}
	go cs.app.Fiber.Listener(ln)
}

func (cs *channelServer) stop(t *testing.T) {
	t.Helper()
	if err := cs.app.Fiber.ShutdownWithTimeout(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func newChannelServer(t *testing.T) *channelServer {
	t.Helper()
	market.PasswordParams = &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	ctx := context.Background()
	cs := &channelServer{store: markettest.SQLite(t)}
	if _, err := demo.Load(ctx, cs.store, demo.Options{Seed: 3, Orgs: 60, Patents: 600}); err != nil {
		t.Fatal(err)
	}
	cs.idx = bleve.New(filepath.Join(t.TempDir(), "index"))
	if _, err := cs.idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.idx.Close() })
	if err := search.Reindex(ctx, cs.store, cs.idx, nil); err != nil {
		t.Fatal(err)
	}
	worker := &search.Worker{Store: cs.store, Index: cs.idx}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); worker.Run(wctx) }()
	t.Cleanup(func() { stop(); <-done })
	cs.start(t)
	t.Cleanup(func() { cs.app.Fiber.ShutdownWithTimeout(5 * time.Second) })
	return cs
}

// waitFor polls a JavaScript condition in the page until it holds.
func (b *browser) waitFor(what, expr string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := b.step(what, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: %s still false after %s (%v):\n%s", what, expr, d, err, b.text())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// An association's operator pins a patent to its wall from the search results; the wall's screen mode
// shows it first with a QR code leading to the patent with ?via=screen:SLUG; the server stops under the
// open screen, which keeps its data and says it is reconnecting; the server comes back and the screen
// recovers by itself, with data changed meanwhile.
func TestWallScreenSurvivesRestart(t *testing.T) {
	cs := newChannelServer(t)
	b := newBrowser(t, "http://"+cs.addr)

	b.login("op-ai@demo.example.com", demo.OperatorPassword)
	b.visit("/search?q=", 200)
	first, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("li.result form.pin-form").closest("li").querySelector("h3 a").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	b.submit("li.result form.pin-form button[type=submit]", 200)
	b.sees("pinned", "已置顶到专利墙", strings.TrimSpace(first))
	b.shot("operator-wall")

	b.visit("/walls/ai/screen?poll=2", 200)
	b.waitFor("screen loaded", `document.getElementById("screen").dataset.state === "ok" && document.querySelectorAll("#screen-grid li").length > 0`, 20*time.Second)
	b.sees("screen", strings.TrimSpace(first))
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#screen-grid li a.screen-card-qr").href`))
	if err != nil || !strings.Contains(href, "?via=screen:ai") {
		t.Errorf("QR link %q: %v", href, err)
	}
	b.waitFor("qr image", `document.querySelector("#screen-grid li img").naturalWidth > 0`, 10*time.Second)
	b.shot("wall-screen")

	// The server goes away: the page keeps its data and retries.
	cs.stop(t)
	b.waitFor("retrying", `document.getElementById("screen").dataset.state === "retrying"`, 20*time.Second)
	b.sees("screen while the server is away", strings.TrimSpace(first), "正在重新连接")
	b.shot("wall-screen-offline")

	// Meanwhile the wall changes; the server comes back on the same address; the screen recovers.
	setup, err := cs.store.WallSetup(context.Background(), "ai")
	if err != nil {
		t.Fatal(err)
	}
	var nos []string
	for i := len(setup.Pins) - 1; i >= 0; i-- {
		nos = append(nos, setup.Pins[i].ApplicationNo)
	}
	bureau := market.Actor{UserID: 1, Role: market.RoleBureau}
	if err := cs.store.SetWallPatents(context.Background(), bureau, "ai", market.WallPin, nos); err != nil {
		t.Fatal(err)
	}
	cs.start(t)
	b.waitFor("recovered", `document.getElementById("screen").dataset.state === "ok" && document.getElementById("screen-status").hidden`, 60*time.Second)
	b.waitFor("new data", `document.querySelector("#screen-grid li h2").textContent === `+jsString(setup.Pins[len(setup.Pins)-1].Title), 20*time.Second)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
