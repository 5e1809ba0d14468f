package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"patentwall/market/demo"
)

const seedUsage = `usage: patentwall seed [--orgs N] [--patents N] [--seed S] [--csv DIR]

Loads the generated demo catalogue (fictional Shanghai patent holders, patents, open-licence declarations,
walls, supermarkets and demands) into an empty database. With --csv, writes orgs.csv and patents.csv in
the import formats into DIR instead and leaves the database alone. The same seed gives the same data.`

func init() {
	commands["seed"] = command{summary: "load demo data into an empty database, or write it as CSV (--csv DIR)", run: runSeed}
}

func runSeed(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	fs.Usage = func() {}
	orgs := fs.Int("orgs", demo.DefaultOrgs, "number of patent-holding organisations")
	patents := fs.Int("patents", demo.DefaultPatents, "number of patents")
	seed := fs.Int64("seed", demo.DefaultSeed, "random seed")
	csvDir := fs.String("csv", "", "write orgs.csv and patents.csv into this folder instead of loading")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(env.Stderr, seedUsage)
			return err
		}
		return usageErr("%v\n%s", err, seedUsage)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q\n%s", fs.Arg(0), seedUsage)
	case *orgs < demo.MinOrgs:
		return usageErr("--orgs must be at least %d", demo.MinOrgs)
	case *patents < 1:
		return usageErr("--patents must be at least 1")
	}
	opt := demo.Options{Seed: *seed, Orgs: *orgs, Patents: *patents}

	if *csvDir != "" {
		return seedCSV(env, *csvDir, opt)
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	loaded, err := demo.LoadIfEmpty(ctx, s, opt)
	if err != nil {
		return err
	}
	if !loaded {
		return fmt.Errorf("the database already holds organisations; seed loads only into an empty database " +
			"(point DATA_DIR or DATABASE_URL at a new one)")
	}
	info, err := demo.ReadLoadInfo(ctx, s)
	if err != nil || info == nil {
		return fmt.Errorf("demo data loaded but not recorded: %v", err)
	}
	fmt.Fprintf(env.Stdout, "loaded demo data (seed %d): %d organisations, %d patents, %d open-licence declarations in %s\n",
		info.Seed, info.Orgs, info.Patents, info.Declarations, time.Since(start).Round(time.Millisecond))
	// The patents wait in the search outbox; index them now unless a running server does it.
	return env.SyncIndex(ctx)
}

// seedCSV writes the dataset as import files; the database is not opened.
func seedCSV(env *Env, dir string, opt demo.Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	opt.Now = time.Now()
	ds := demo.Generate(opt)
	orgsPath, patentsPath := filepath.Join(dir, "orgs.csv"), filepath.Join(dir, "patents.csv")
	of, err := os.Create(orgsPath)
	if err != nil {
		return err
	}
	defer of.Close()
	pf, err := os.Create(patentsPath)
	if err != nil {
		return err
	}
	defer pf.Close()
	if err := demo.WriteCSV(ds, of, pf); err != nil {
		return err
	}
	if err := of.Close(); err != nil {
		return err
	}
	if err := pf.Close(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%d organisations) and %s (%d patents, %d with declarations)\n",
		orgsPath, len(ds.Orgs), patentsPath, len(ds.Patents), len(ds.Declarations))
	return nil
}
