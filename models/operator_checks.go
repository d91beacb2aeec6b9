package models

import (
	"context"
	"time"
)

// LiveSessions reports which of the given sessions are still signed in at
// now: not signed out, not expired, their operator not deleted (deleting
// an operator deletes its sessions).
func (o *Operators) LiveSessions(ctx context.Context, ids []uint, now time.Time) (map[uint]bool, error) {
	live := map[uint]bool{}
	if len(ids) == 0 {
		return live, nil
	}
	var found []uint
	err := o.db.WithContext(ctx).Model(&OperatorSession{}).Where("id IN ? AND expires_at > ?", ids, now).Pluck("id", &found).Error
	for _, id := range found {
		live[id] = true
	}
	return live, err
}

// LiveTokens reports which of the given API tokens are still issued, by
// token.
func (o *Operators) LiveTokens(ctx context.Context, tokens []string) (map[string]bool, error) {
	live := map[string]bool{}
	if len(tokens) == 0 {
		return live, nil
	}
	byHash := make(map[string]string, len(tokens))
	hashes := make([]string, 0, len(tokens))
	for _, t := range tokens {
		h := hashToken(t)
		byHash[h] = t
		hashes = append(hashes, h)
	}
	var found []string
	err := o.db.WithContext(ctx).Model(&APIToken{}).Where("token_hash IN ?", hashes).Pluck("token_hash", &found).Error
	for _, h := range found {
		live[byHash[h]] = true
	}
	return live, err
}
