package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"patentwall/market"
)

func init() {
	commands["admin"] = command{summary: "admin create-user --email E --password P --role bureau|admin|operator [--org USCC]", run: runAdmin}
}

func runAdmin(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "create-user" {
		return usageErr("usage: patentwall admin create-user --email E --password P --role bureau|admin|operator [--org USCC] [--name NAME]")
	}
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var in market.StaffInput
	fs.StringVar(&in.Email, "email", "", "e-mail address (the login)")
	fs.StringVar(&in.Password, "password", "", "password (at least 10 characters)")
	fs.StringVar(&in.Role, "role", "", "bureau, admin or operator")
	fs.StringVar(&in.OrgUSCC, "org", "", "USCC of the user's organisation (required for operators)")
	fs.StringVar(&in.Name, "name", "", "display name (default: the e-mail's local part)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments: %v", fs.Args())
	}
	if in.Email == "" || in.Password == "" || in.Role == "" {
		return usageErr("--email, --password and --role are required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	u, err := s.CreateStaffUser(ctx, in)
	if errs := market.AsFieldErrors(err); errs != nil {
		for _, e := range errs {
			fmt.Fprintf(env.Stderr, "%s: %s\n", e.Field, e.MessageEN)
		}
		return errSilent{err}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created %s user %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}
