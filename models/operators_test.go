package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestSignInLockout checks the lockout schedule with a fixed clock: free
// failures first, then a lock that doubles, and a success that resets it.
func TestSignInLockout(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ops := models.NewOperators(s.DB())
		ctx := context.Background()
		if err := ops.Add(ctx, "ada", "short"); err == nil {
			t.Error("a 5-character password was accepted")
		}
		if err := ops.Add(ctx, "ada", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		fail := func(at time.Time) error {
			_, _, err := ops.SignIn(ctx, "ada", "wrong", at)
			return err
		}
		for i := 0; i < 2; i++ {
			if err := fail(t0); !errors.Is(err, models.ErrBadLogin) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		fail(t0) // the third failure locks for 5 s
		if _, _, err := ops.SignIn(ctx, "ada", "correct horse battery", t0.Add(4*time.Second)); !errors.Is(err, models.ErrLocked) {
			t.Errorf("right password while locked: %v", err)
		}
		fail(t0.Add(6 * time.Second)) // the fourth locks for 10 s
		if _, _, err := ops.SignIn(ctx, "ada", "correct horse battery", t0.Add(15*time.Second)); !errors.Is(err, models.ErrLocked) {
			t.Errorf("the lock did not double: %v", err)
		}
		token, sess, err := ops.SignIn(ctx, "ada", "correct horse battery", t0.Add(17*time.Second))
		if err != nil || token == "" || sess.Operator.Username != "ada" {
			t.Fatalf("sign-in after the lock: %v", err)
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
