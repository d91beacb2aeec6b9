package models_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestSignIn checks sign-in, sessions and sign-out, and that failures lock
// nothing: the right password works straight after many wrong ones (the
// handlers throttle failures per address and username).
func TestSignIn(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ops := models.NewOperators(s.DB())
		ctx := context.Background()
		for _, col := range []string{"failed_logins", "locked_until"} {
			if s.DB().Migrator().HasColumn("operators", col) {
				t.Errorf("operators.%s is still there after migration 0010", col)
			}
		}
		if err := ops.Add(ctx, "ada", "short"); err == nil {
			t.Error("a 5-character password was accepted")
		}
		if err := ops.Add(ctx, "ada", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		for i := 0; i < 10; i++ {
			if _, _, err := ops.SignIn(ctx, "ada", "wrong", t0); !errors.Is(err, models.ErrBadLogin) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		token, sess, err := ops.SignIn(ctx, "ada", "correct horse battery", t0)
		if err != nil || token == "" || sess.Operator.Username != "ada" {
			t.Fatalf("sign-in after 10 failures: %v", err)
		}
		if _, _, err := ops.SignIn(ctx, "nobody", "whatever", t0); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("unknown user: %v", err)
		}
		if got, err := ops.Session(ctx, token, t0.Add(time.Hour)); err != nil || got.Operator.Username != "ada" {
			t.Errorf("session: %v", err)
		}
		if _, err := ops.Session(ctx, token, t0.Add(models.SessionLifetime+time.Hour)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an expired session still works: %v", err)
		}
		ops.SignOut(ctx, token)
		if _, err := ops.Session(ctx, token, t0.Add(time.Hour)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a signed-out session still works: %v", err)
		}
	})
}

// TestSignInComparesForUnknownNames: an unknown username costs the same as
// a wrong password, one bcrypt comparison against a hash of the same cost,
// so the time taken does not tell whether the account exists.
func TestSignInComparesForUnknownNames(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	ops := models.NewOperators(s.DB())
	ctx := context.Background()
	if err := ops.Add(ctx, "ada", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	compares := models.WatchCompares(ops)
	now := time.Now().UTC()
	_, _, errKnown := ops.SignIn(ctx, "ada", "wrong", now)
	known := compares()
	_, _, errUnknown := ops.SignIn(ctx, "nobody", "wrong", now)
	unknown := compares()[len(known):]
	if errKnown != errUnknown || !errors.Is(errUnknown, models.ErrBadLogin) {
		t.Errorf("wrong password: %v; unknown name: %v", errKnown, errUnknown)
	}
	if len(known) != 1 || len(unknown) != 1 || known[0] != unknown[0] || known[0] < bcrypt.DefaultCost {
		t.Errorf("bcrypt costs compared: wrong password %v, unknown name %v; want one each, the same", known, unknown)
	}
}
