package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/meetboard/meetboard/models"
)

// parseArgs parses flags wherever they stand among the arguments, so
// "user add NAME -db X" reads -db as "-db X user add NAME" does, and
// returns the other arguments in order. Everything after "--" is an
// argument, even when it begins with "-".
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// commands are the commands and the arguments each takes.
var commands = map[string]string{
	"user add": "NAME", "user list": "", "user delete": "NAME",
	"token add": "NAME", "token list": "", "token delete": "NAME",
	"rebuild": "", "reapply": "ID",
}

// checkCommand refuses a command that is unknown or has an argument too
// few or too many, before any database is opened (or created).
func checkCommand(args []string) error {
	name := args[0]
	if len(args) > 1 && (name == "user" || name == "token") {
		name += " " + args[1]
	}
	params, ok := commands[name]
	if !ok {
		return fmt.Errorf("unknown command %q\n%s", strings.Join(args, " "), adminUsage)
	}
	given := args[len(strings.Fields(name)):]
	want := strings.Fields(params)
	switch {
	case len(given) < len(want):
		return fmt.Errorf("%s is missing its %s\n%s", name, want[len(given)], adminUsage)
	case len(given) > len(want):
		return fmt.Errorf("%s takes %s, got %q\n%s", name, argCount(want), given, adminUsage)
	}
	for i, a := range given {
		if strings.HasPrefix(a, "-") {
			return fmt.Errorf("%s: %s %q begins with \"-\"; flags may stand before or after the command, "+
				"but no %s begins with one\n%s", name, want[i], a, want[i], adminUsage)
		}
	}
	return nil
}

// argCount says how many arguments a command takes.
func argCount(params []string) string {
	if len(params) == 0 {
		return "no argument"
	}
	return "only " + strings.Join(params, " and ")
}

// runCommand runs a command on the configured database, saying first
// (on stderr, so that a token printed on stdout stays alone there) which
// database that is.
func runCommand(ctx context.Context, cfg config, store *models.Store, ops *models.Operators, stdin io.Reader, stdout, stderr io.Writer) error {
	fmt.Fprintf(stderr, "Database: %s\n", describeDB(cfg.DatabaseURL))
	if isLogCommand(cfg.Command) {
		return runLogCommand(ctx, store, cfg.Command, stdout)
	}
	return runAdmin(ctx, ops, cfg.Command, stdin, stdout)
}
