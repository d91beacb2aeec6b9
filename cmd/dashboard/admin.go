package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/meetboard/meetboard/models"
)

// adminUsage explains the commands.
const adminUsage = `usage:
  dashboard [flags] user add NAME      create an operator (password read from the terminal, or the first line of stdin)
  dashboard [flags] user list          list operators
  dashboard [flags] user delete NAME   delete an operator and sign them out
  dashboard [flags] token add NAME     create an API token for scripts (printed once)
  dashboard [flags] token list         list API tokens
  dashboard [flags] token delete NAME  revoke an API token
  dashboard [flags] rebuild            apply the whole event log again, with today's decoders, to fresh models
  dashboard [flags] reapply ID         apply one event again (one whose apply failed, once the cause is fixed)
Flags, such as -db, may also stand after the command; each command names the database it uses.`

// runAdmin runs an account command against the configured database.
func runAdmin(ctx context.Context, ops *models.Operators, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) < 2 {
		return errors.New(adminUsage)
	}
	name := ""
	if len(args) > 2 {
		name = args[2]
	}
	need := func() error {
		if name == "" {
			return fmt.Errorf("%s %s needs a NAME\n%s", args[0], args[1], adminUsage)
		}
		return nil
	}
	switch args[0] + " " + args[1] {
	case "user add":
		if err := need(); err != nil {
			return err
		}
		pw, err := readPassword(stdin, stdout)
		if err != nil {
			return err
		}
		if err := ops.Add(ctx, name, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "operator %s created\n", name)
	case "user list":
		list, err := ops.List(ctx)
		for _, o := range list {
			fmt.Fprintf(stdout, "%s\tcreated %s\n", o.Username, o.CreatedAt.Format("2006-01-02 15:04"))
		}
		return err
	case "user delete":
		if err := need(); err != nil {
			return err
		}
		return ops.Delete(ctx, name)
	case "token add":
		if err := need(); err != nil {
			return err
		}
		tok, err := ops.AddToken(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n(shown once: send it as Authorization: Bearer <token>)\n", tok)
	case "token list":
		list, err := ops.Tokens(ctx)
		for _, t := range list {
			fmt.Fprintf(stdout, "%s\tcreated %s\n", t.Name, t.CreatedAt.Format("2006-01-02 15:04"))
		}
		return err
	case "token delete":
		if err := need(); err != nil {
			return err
		}
		return ops.DeleteToken(ctx, name)
	default:
		return fmt.Errorf("unknown command %q\n%s", strings.Join(args, " "), adminUsage)
	}
	return nil
}

// readPassword asks twice on a terminal, without echo; otherwise it reads
// the first line of stdin (for scripts).
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
