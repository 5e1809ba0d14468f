package main

import (
	"context"
	"log/slog"
	"time"

	"patentwall/market"
)

// housekeeping runs the periodic chores of a serving process until ctx ends: expired sessions, tokens
// and rate-limit windows are purged, and when SMTP is configured the notification e-mails queued in the
// database are sent. Both are safe with several servers running (rows are claimed in the database).
// serve waits for it to return before closing the database (docs/interfaces.md §2.2): a chore under way
// finishes or is cancelled with ctx, nothing starts after.
func housekeeping(ctx context.Context, store *market.Store, cfg Config, log *slog.Logger) {
	var mailer market.Mailer
	if cfg.SMTPAddr != "" {
		mailer = &market.SMTPMailer{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom}
		log.Info("licence notices are also sent by e-mail", "smtp", cfg.SMTPAddr)
	}
	mail := time.NewTicker(30 * time.Second)
	purge := time.NewTicker(time.Hour)
	defer mail.Stop()
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-purge.C:
			if err := store.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
				log.Error("purge expired sessions", "err", err)
			}
		case <-mail.C:
			if mailer == nil {
				continue
			}
			if n, err := store.DeliverNotificationEmails(ctx, mailer, cfg.BaseURL, 100); err != nil && ctx.Err() == nil {
				log.Error("send notification e-mails", "sent", n, "err", err)
			} else if n > 0 {
				log.Info("notification e-mails sent", "count", n)
			}
		}
	}
}

// anchorInterval is how often a serving process anchors the chain heads its steps left pending.
const anchorInterval = time.Second

// anchorer moves pending chain heads into the running audit digest (market.Store.AnchorPending) about
// once a second until ctx ends, and once more then, so a clean shutdown leaves nothing pending. Several
// processes may run it: they take turns on the digest's head row.
func anchorer(ctx context.Context, store *market.Store, log *slog.Logger) {
	t := time.NewTicker(anchorInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := store.AnchorPending(final); err != nil {
				log.Error("anchor audit histories at shutdown", "err", err)
			}
			return
		case <-t.C:
			if _, err := store.AnchorPending(ctx); err != nil && ctx.Err() == nil {
				log.Error("anchor audit histories", "err", err)
			}
		}
	}
}
