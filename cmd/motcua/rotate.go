package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/repository"
)

// rotateKeyCommand reseals personal data under the current key id
// (MOTCUA_DATA_KEY_ID), batch by batch, beside a running service.
func rotateKeyCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rotate-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batch := fs.Int("batch", 500, "rows per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *batch < 1 || *batch > 10000 {
		return errors.New(usages["rotate-key"])
	}
	a, closeDB, err := open(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeDB()
	counts, err := repository.Reseal(ctx, a.DB, a.Sealer, *batch, func(c repository.ResealCount) {
		log.Debug("reseal", "table", c.Table, "scanned", c.Scanned, "resealed", c.Resealed)
	})
	if err != nil {
		return fmt.Errorf("rotate-key: %w", err)
	}
	detail := fmt.Sprintf("key id %d:", a.Sealer.CurrentKeyID())
	for _, c := range counts {
		detail += fmt.Sprintf(" %s %d of %d", c.Table, c.Resealed, c.Scanned)
		log.Info("resealed under the current key", "table", c.Table, "key_id", a.Sealer.CurrentKeyID(),
			"scanned", c.Scanned, "resealed", c.Resealed)
	}
	if err := a.Audit.Record(ctx, audit.Entry{At: a.Now(), Actor: "motcua rotate-key", Role: "cli",
		Action: audit.DataKeyRotated, Subject: "personal data", Detail: detail}); err != nil {
		return fmt.Errorf("rotate-key: audit: %w", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		KeyID  int                      `json:"key_id"`
		Tables []repository.ResealCount `json:"tables"`
	}{a.Sealer.CurrentKeyID(), counts})
}
