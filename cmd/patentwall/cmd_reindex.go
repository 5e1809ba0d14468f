package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"patentwall/search"
)

func init() {
	commands["reindex"] = command{summary: "rebuild the search index from the database", run: runReindex}
}

func runReindex(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: patentwall reindex\n\nRebuilds the search index from the database. With the embedded (Bleve) index, stop a running server first.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("reindex takes no arguments")
	}
	store, err := env.Store(ctx)
	if err != nil {
		return err
	}
	idx, _, err := env.openIndex(ctx)
	if err != nil {
		return err
	}
	env.index = idx // closed by env.Close
	start := time.Now()
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription("indexing patents"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("patents"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
	)
	err = search.Reindex(ctx, store, idx, func(done, total int) {
		if total > 0 {
			bar.ChangeMax(total)
		}
		bar.Set(done)
	})
	bar.Finish()
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return err
	}
	// Changes queued while the rebuild ran are indexed now, so the outbox starts empty.
	if _, err := (&search.Worker{Store: store, Index: idx, Log: env.Log}).DrainOnce(ctx); err != nil {
		return err
	}
	n, err := idx.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "reindexed %d patents in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
