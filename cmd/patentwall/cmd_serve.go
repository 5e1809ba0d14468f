package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"

	"patentwall/market/demo"
	"patentwall/search"
	"patentwall/search/bleve"
	"patentwall/web"
)

const serveUsage = `usage: patentwall serve [--demo] [--listen ADDR]

Migrates the database, then serves the site and the API. --demo loads the generated demo catalogue
when the database is empty. --listen overrides LISTEN_ADDR (default :8080).`

// defaultShutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM unless
// SHUTDOWN_GRACE says otherwise.
const defaultShutdownGrace = 10 * time.Second

// testServeHook, set by tests only, adds routes to the app before it listens (a request that stays in
// flight until the test releases it).
var testServeHook func(app *web.App)

func init() {
	commands["serve"] = command{summary: "migrate, then serve the site and API (--demo loads demo data into an empty database)", run: runServe}
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprintln(env.Stderr, serveUsage) }
	withDemo := fs.Bool("demo", false, "load demo data when the database is empty")
	listen := fs.String("listen", env.Config.ListenAddr, "listen address")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q\n%s", fs.Arg(0), serveUsage)
	}

	store, err := env.Store(ctx)
	if err != nil {
		return err
	}
	if *withDemo {
		start := time.Now()
		loaded, err := demo.LoadIfEmpty(ctx, store, demo.Options{Seed: demo.DefaultSeed})
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		if loaded {
			env.Log.Info("demo data loaded", "took", time.Since(start).Round(time.Millisecond))
		}
	}
	env.startWithoutEngine = true
	idx, err := env.Index(ctx)
	if err != nil {
		return err
	}

	defer env.Log.Info("background work stopped; closing the index and the database")

	// The worker outlives the request context so that shutdown can stop the server first and let
	// the worker finish its batch afterwards.
	worker := &search.Worker{Store: store, Index: idx, Log: env.Log}
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		worker.Run(workerCtx)
	}()
	anchorDone := make(chan struct{})
	go func() {
		defer close(anchorDone)
		anchorer(workerCtx, store, env.Log)
	}()
	defer func() {
		stopWorker()
		<-workerDone
		<-anchorDone
	}()
	// New offers are percolated against saved searches and open demands (docs/rules.md §10).
	alerts := &search.Alerts{Store: store, NewScratch: bleve.Scratch, Log: env.Log}
	alertsDone := make(chan struct{})
	go func() {
		defer close(alertsDone)
		alerts.Run(workerCtx)
	}()
	defer func() {
		stopWorker()
		<-alertsDone
	}()
	housekeepingDone := make(chan struct{})
	go func() {
		defer close(housekeepingDone)
		housekeeping(workerCtx, store, env.Config, env.Log)
	}()
	defer func() {
		stopWorker()
		<-housekeepingDone
	}()
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		// Profiling for operators, on its own (loopback) address, never on the public listener.
		go func() { env.Log.Info("pprof", "err", http.ListenAndServe(addr, nil)) }()
	}

	app, err := web.New(web.Deps{
		Store:          store,
		Index:          idx,
		BaseURL:        env.Config.BaseURL,
		Log:            env.Log,
		SecureCookies:  env.Config.SecureCookie,
		TrustedProxies: env.Config.TrustedProxies,
		AcceptLimits:   env.Config.AcceptLimits,
	})
	if err != nil {
		return err
	}
	if testServeHook != nil {
		testServeHook(app)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	env.Log.Info("listening on " + browseURL(ln.Addr()))
	served := make(chan error, 1)
	go func() { served <- app.Fiber.Listener(ln) }()

	select {
	case err := <-served:
		// The server stopped on its own: that is a failure.
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Shutdown (docs/interfaces.md §2.2): stop accepting, let requests in flight finish within the
	// grace, then (deferred above) stop the search worker after its current batch, the alerts and the
	// housekeeping, anchor what is pending once more; env.Close (in run) closes the index and the
	// database. A second signal exits at once (onSignals).
	grace := env.Config.ShutdownGrace
	if grace <= 0 {
		grace = defaultShutdownGrace
	}
	env.Log.Info("shutting down: no new connections; in-flight requests may finish", "grace", grace)
	if err := app.Fiber.ShutdownWithTimeout(grace); err != nil {
		env.Log.Error("shutdown: requests still in flight after the grace", "err", err)
	}
	<-served
	env.Log.Info("requests drained; stopping the search worker and anchoring pending histories")
	return nil
}

// browseURL is where a person can open the site: a wildcard address is shown as localhost.
func browseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(tcp.Port)))
}
