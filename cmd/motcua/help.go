package main

import (
	"fmt"
	"io"
	"strings"
)

// usages are the subcommands' own usage texts, printed by
// `motcua SUBCOMMAND --help` and `motcua help SUBCOMMAND`.
var usages = map[string]string{
	"serve": `usage: motcua [serve] [--demo]
  Run the HTTP service; the database is migrated first.
  --demo    seed the demo province before serving`,
	"migrate": `usage: motcua migrate
  Apply the database migrations and exit.`,
	"user": `usage: motcua user create --username U --role admin|clerk|officer|leader|viewer [--unit CODE] [--name NAME]
  Create a staff user. The password is read from stdin (prompted for on a terminal).`,
	"seed": `usage: motcua seed demo [--force]
  Fill the database with a small demo province (agencies, procedures, users,
  dossiers, feedback) and print the demo logins. Refused when the database
  holds users or agencies that are not the demo's, unless --force is given.
  --force   seed even though the database holds other data`,
	"import": `usage: motcua import FILE --kind dossiers|feedback|procedures [--progress] [--resume]
  Import NDJSON history from FILE ("-" reads stdin). The answer (imported,
  duplicates, bad lines) is printed to stdout as JSON; logs go to stderr.
  The import of a dossiers or feedback file keeps a checkpoint in the
  database with every stored batch of 1,000 lines.
  --kind       what the file holds: dossiers, feedback or procedures
  --progress   show progress on stderr (percent done and time left for a
               file) even when stderr is not a terminal
  --resume     continue the interrupted import of FILE (same kind, same
               size and first MiB) from its last stored batch; the answer
               counts the whole file as one run would. Refused for stdin,
               procedures, a changed file, a file with no interrupted
               import and a finished one`,
	"rotate-key": `usage: motcua rotate-key [--batch N]
  Seal again, under the key MOTCUA_DATA_KEY_ID names, every applicant's and
  sender's ID number, phone, e-mail and address stored under another key id
  (or in clear, from before sealing), in batches while the service runs.
  Raise MOTCUA_DATA_KEY_ID for the service first; values under older ids
  keep opening until this has run. The counts are printed to stdout as JSON.
  --batch N   rows per transaction (default 500)`,
	"webhook-receive": `usage: motcua webhook-receive --secret whsec_… [--addr 127.0.0.1:9099]
  A webhook receiver for trying a subscription out: it listens on --addr,
  checks each delivery's X-Motcua-Signature with the secret the webhook's
  registration answered, prints each verified event as one JSON line on
  stdout and answers 204; a delivery that does not verify is answered 401.
  Runs until interrupted. Register the webhook with its URL, e.g.
  http://127.0.0.1:9099/motcua (loopback targets need
  MOTCUA_WEBHOOK_ALLOW_PRIVATE=true, which serve --demo implies).
  --addr     address to listen on (default 127.0.0.1:9099)
  --secret   the webhook's secret`,
}

// helpRequest reports whether args ask for help, and if so which usage text
// answers: `help`, `-h` or `--help` first (optionally naming a subcommand),
// or -h/--help anywhere among a subcommand's arguments (before "--").
func helpRequest(args []string) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	if isHelpWord(args[0]) || args[0] == "help" {
		if len(args) > 1 {
			if u, ok := usages[args[1]]; ok {
				return u, true
			}
		}
		return usage, true
	}
	cmd, rest := "serve", args
	if !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	u, known := usages[cmd]
	if !known {
		return "", false
	}
	for _, a := range rest {
		if a == "--" {
			break
		}
		if isHelpWord(a) {
			return u, true
		}
	}
	return "", false
}

func isHelpWord(a string) bool {
	return a == "-h" || a == "-help" || a == "--help"
}

func printHelp(w io.Writer, text string) error {
	_, err := fmt.Fprintln(w, text)
	return err
}
