package models

import (
	"context"
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// CommitBatch logs deliveries as one batch, in the order given, as a
// committer does with what it gathered, waits until they are applied, and
// returns what applying each did.
func (s *Store) CommitBatch(ds []Delivery) ([]Result, error) {
	batch := make([]*pending, len(ds))
	for i, d := range ds {
		batch[i] = newPending(d)
	}
	s.commit(batch)
	out := make([]Result, len(ds))
	for i, p := range batch {
		o := <-p.result
		if o.err != nil {
			return nil, o.err
		}
		out[i] = o.res
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range out {
		var err error
		if out[i], err = s.Applied(ctx, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WriteTx runs fn in a write transaction of the store's, as its committers
// and its projector do (one at a time on SQLite, which has one writer); an
// error from fn rolls the transaction back.
func (s *Store) WriteTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.writeTx(ctx, fn)
}

// WatchCompares makes o's SignIn record the bcrypt cost of every hash it
// compares a password against (-1 for one that is not a bcrypt hash), and
// returns them so far when called.
func WatchCompares(o *Operators) func() []int {
	var costs []int
	compare := o.compare
	o.compare = func(hash, password []byte) error {
		cost, err := bcrypt.Cost(hash)
		if err != nil {
			cost = -1
		}
		costs = append(costs, cost)
		return compare(hash, password)
	}
	return func() []int { return append([]int(nil), costs...) }
}

// MigrateTo applies the migrations up to a version, for tests of an
// upgrade.
func MigrateTo(db *gorm.DB, version int) error { return migrateTo(db, version) }

// PruneRefusals removes the refusals and counts past their bounds now, as
// the refusal writer does after its writes.
func (s *Store) PruneRefusals() error {
	return errors.Join(s.pruneKept(context.Background()), s.pruneCounts(context.Background()))
}
