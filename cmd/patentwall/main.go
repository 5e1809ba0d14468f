// Command patentwall is the marketplace's one binary: serve | migrate | import | reindex | bonus |
// audit | admin. It wires the packages together; the packages know nothing of each other's engines.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"patentwall/market"
	"patentwall/search"
	"patentwall/web"
)

// exit codes (docs/interfaces.md §2.2): 0 success, 1 failure, 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// errUsage marks a usage error (exit status 2).
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usageErr(format string, a ...any) error { return errUsage{fmt.Sprintf(format, a...)} }

// command is one subcommand; run gets the arguments after the command name.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands is filled by the cmd_*.go files' init functions, one file per command.
var commands = map[string]command{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "patentwall: unknown command %q\n\n", args[0])
		printUsage(stderr)
		return exitUsage
	}
	if batchCommands[args[0]] {
		defer tuneGCForBatch()()
	}
	env := &Env{Config: LoadConfig(), Stdout: stdout, Stderr: stderr, bulkIndex: batchCommands[args[0]]}
	if env.Config.err != nil {
		fmt.Fprintf(stderr, "patentwall: %v\n", env.Config.err)
		return exitUsage
	}
	market.APITokenTTL = env.Config.APITokenTTL
	env.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer onSignals(cancel, env.Log)()
	defer env.Close()
	err := cmd.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(errUsage)), errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "patentwall %s: %v\n", args[0], err)
		}
		return exitUsage
	default:
		var silent errSilent
		if !errors.As(err, &silent) {
			fmt.Fprintf(stderr, "patentwall %s: %v\n", args[0], err)
		}
		return exitFail
	}
}

// onSignals ends the commands' context at the first SIGINT or SIGTERM: serve stops accepting, drains
// and exits 0, another command stops its work (docs/interfaces.md §2.2). A second signal exits the
// process at once with status 1, skipping what is left of the drain. The returned function stops
// listening.
func onSignals(cancel context.CancelFunc, log *slog.Logger) (stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			log.Info("signal received: stopping; a second signal exits at once", "signal", s.String())
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			log.Error("second signal: exiting at once without finishing the shutdown", "signal", s.String())
			os.Exit(exitFail)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// batchCommands build large indexes in one go: Bleve allocates heavily while it builds segments, and
// with Go's default GC target a quarter of an import's time went to collecting garbage.
var batchCommands = map[string]bool{"import": true, "reindex": true, "seed": true}

// tuneGCForBatch lets the heap grow to three times the live data between collections, within a
// memory limit, unless GOGC or GOMEMLIMIT says otherwise; it returns the function that restores the
// settings.
func tuneGCForBatch() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gc := debug.SetGCPercent(300)
	limit := debug.SetMemoryLimit(768 << 20)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}
}

// errSilent is a failure whose details were already printed (e.g. every bad import row).
type errSilent struct{ error }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: patentwall COMMAND [ARGS]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nconfiguration (environment): DATA_DIR, LISTEN_ADDR, DATABASE_URL, MEILISEARCH_URL, MEILISEARCH_API_KEY, BASE_URL")
}

// Config is read from the environment (docs/interfaces.md §1); flags may override it.
type Config struct {
	DataDir      string
	ListenAddr   string
	DatabaseURL  string
	MeiliURL     string
	MeiliAPIKey  string
	BaseURL      string
	SMTPAddr     string // host:port; empty = no e-mail
	SMTPFrom     string
	SecureCookie bool
	// TrustedProxies: load balancers (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed.
	TrustedProxies []string
	// APITokenTTL is how long a new API token works (API_TOKEN_TTL: a Go duration such as 720h, or a
	// number of days such as 30d or 30; default 90 days).
	APITokenTTL time.Duration
	// ShutdownGrace is how long serve lets in-flight requests finish after SIGTERM (SHUTDOWN_GRACE, a Go
	// duration; default 10s).
	ShutdownGrace time.Duration
	// AcceptLimits bound open-licence acceptances an hour per organisation and per client address
	// (ACCEPT_LIMITS: "ORG,ADDR", e.g. "200,600", the default; "off" lifts both, for load tests).
	AcceptLimits web.ActionLimits
	// err is the first unreadable setting; commands refuse to run with it.
	err error
}

// LoadConfig reads the environment with the documented defaults.
func LoadConfig() Config {
	c := Config{
		DataDir:      getenv("DATA_DIR", "./data"),
		ListenAddr:   getenv("LISTEN_ADDR", ":8080"),
		DatabaseURL:  os.Getenv("DATABASE_URL"),
		MeiliURL:     os.Getenv("MEILISEARCH_URL"),
		MeiliAPIKey:  os.Getenv("MEILISEARCH_API_KEY"),
		BaseURL:      getenv("BASE_URL", "http://localhost:8080"),
		SMTPAddr:     os.Getenv("SMTP_ADDR"),
		SMTPFrom:     getenv("SMTP_FROM", "noreply@localhost"),
		SecureCookie: os.Getenv("SECURE_COOKIES") == "1",
	}
	ttl, err := parseTokenTTL(os.Getenv("API_TOKEN_TTL"))
	if err != nil {
		c.err = err
	}
	c.APITokenTTL = ttl
	c.ShutdownGrace = defaultShutdownGrace
	if v := strings.TrimSpace(os.Getenv("SHUTDOWN_GRACE")); v != "" {
		d, err := time.ParseDuration(v)
		if (err != nil || d <= 0) && c.err == nil {
			c.err = fmt.Errorf("SHUTDOWN_GRACE %q: give a positive Go duration (10s, 2m)", v)
		}
		c.ShutdownGrace = d
	}
	if l, err := parseAcceptLimits(os.Getenv("ACCEPT_LIMITS")); err != nil {
		if c.err == nil {
			c.err = err
		}
	} else {
		c.AcceptLimits = l
	}
	for _, p := range strings.Split(os.Getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return c
}

// parseAcceptLimits reads ACCEPT_LIMITS (docs/interfaces.md §1): "" is web.DefaultAcceptLimits, "off" no
// limit, "ORG,ADDR" positive counts an hour.
func parseAcceptLimits(v string) (web.ActionLimits, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return web.DefaultAcceptLimits, nil
	case strings.EqualFold(v, "off"):
		return web.ActionLimits{PerOrg: -1, PerAddr: -1, Window: time.Hour}, nil
	}
	org, addr, ok := strings.Cut(v, ",")
	o, err1 := strconv.Atoi(strings.TrimSpace(org))
	a, err2 := strconv.Atoi(strings.TrimSpace(addr))
	if !ok || err1 != nil || err2 != nil || o <= 0 || a <= 0 {
		return web.ActionLimits{}, fmt.Errorf("ACCEPT_LIMITS %q: give two positive counts an hour, per organisation and per address (200,600), or off", v)
	}
	return web.ActionLimits{PerOrg: o, PerAddr: a, Window: time.Hour}, nil
}

// parseTokenTTL reads API_TOKEN_TTL: "" is the default (90 days); a Go duration ("2160h"), or whole days
// ("90d" or "90"). It must be positive.
func parseTokenTTL(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return market.DefaultAPITokenTTL, nil
	}
	days := strings.TrimSuffix(v, "d")
	if n, err := strconv.Atoi(days); err == nil {
		if n <= 0 || n > 3650 {
			return 0, fmt.Errorf("API_TOKEN_TTL %q: give 1 to 3650 days", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("API_TOKEN_TTL %q: give a positive Go duration (720h) or days (30d)", v)
	}
	return d, nil
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// DSN returns the database to open: DATABASE_URL or the SQLite file under DATA_DIR.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "patentwall.db")
}

// Env holds what commands share, opened lazily.
type Env struct {
	Config Config
	Log    *slog.Logger
	Stdout io.Writer
	Stderr io.Writer
	store  *market.Store
	index  search.Index
	// startWithoutEngine lets Index return an index that initialises later when Meilisearch does not
	// answer yet (serve), instead of failing.
	startWithoutEngine bool
	// bulkIndex opens the embedded index for a batch command (bleve.Index.Bulk): writes go on while
	// earlier ones are written to disk.
	bulkIndex bool
}

// Store opens and migrates the database on first use.
func (e *Env) Store(ctx context.Context) (*market.Store, error) {
	if e.store != nil {
		return e.store, nil
	}
	s, err := market.Open(e.Config.DSN())
	if err != nil {
		return nil, err
	}
	n, err := s.Migrate(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	if n > 0 {
		e.Log.Info("database migrated", "dialect", s.Dialect, "applied", n)
	}
	e.store = s
	return s, nil
}

// Close releases what was opened.
func (e *Env) Close() {
	if e.index != nil {
		e.index.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
}

func init() {
	commands["migrate"] = command{summary: "apply database migrations", run: func(ctx context.Context, env *Env, args []string) error {
		if len(args) > 0 {
			return usageErr("migrate takes no arguments")
		}
		_, err := env.Store(ctx)
		if err == nil {
			fmt.Fprintln(env.Stdout, "migrations applied")
		}
		return err
	}}
}
