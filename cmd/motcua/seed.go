package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// demoAgencies are the agency codes the demo province creates.
var demoAgencies = map[string]bool{
	demo.Province: true, demo.Center: true, demo.Justice: true, demo.Planning: true,
	demo.Industry: true, demo.Police: true, demo.District: true, demo.CommuneA: true,
	demo.CommuneB: true,
}

// seedCommand is `motcua seed demo [--force]`. The demo logins (the result)
// go to stdout.
func seedCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "demo" {
		return errors.New(usages["seed"])
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "seed even though the database holds other data")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(usages["seed"])
	}
	a, closeDB, err := open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer closeDB()
	if !*force {
		if err := demoOnly(ctx, a); err != nil {
			return err
		}
	}
	return demo.Seed(ctx, a, stdout)
}

// demoOnly checks that the database is empty or holds demo data only, which
// here means: every user is one of the demo accounts (the bootstrap admin is
// one of them) and every agency is one of the demo province's. Whatever hangs
// off other users or agencies (dossiers, feedback, procedures) then belongs
// to the demo as well. The error counts what is foreign without naming it.
func demoOnly(ctx context.Context, a *app.App) error {
	demoUsers := make(map[string]bool, len(demo.Users))
	for _, du := range demo.Users {
		demoUsers[du.Username] = true
	}
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	var foreignUsers, foreignAgencies int64
	const pageSize = 500
	for page := 1; ; page++ {
		us, total, err := a.Users.List(ctx, sys, user.Filter{Page: domain.Page{Page: page, PageSize: pageSize}})
		if err != nil {
			return err
		}
		for _, u := range us {
			if !demoUsers[u.Username] {
				foreignUsers++
			}
		}
		if len(us) == 0 || int64((page-1)*pageSize+len(us)) >= total {
			break
		}
	}
	for page := 1; ; page++ {
		ags, total, err := a.Catalog.ListAgencies(ctx, catalog.AgencyFilter{Page: domain.Page{Page: page, PageSize: pageSize}})
		if err != nil {
			return err
		}
		for _, ag := range ags {
			if !demoAgencies[ag.Code] {
				foreignAgencies++
			}
		}
		if len(ags) == 0 || int64(page*pageSize) >= total {
			break
		}
	}
	if foreignUsers == 0 && foreignAgencies == 0 {
		return nil
	}
	return fmt.Errorf("refusing to seed demo data: the database holds %d users and %d agencies that are not the demo's; "+
		"seed demo is meant for an empty or demo database (add --force to seed anyway)", foreignUsers, foreignAgencies)
}
