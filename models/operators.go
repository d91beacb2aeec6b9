package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Operator is a person who may sign in to the dashboard.
type Operator struct {
	ID           uint   `gorm:"primaryKey"`
	Username     string `gorm:"uniqueIndex"`
	PasswordHash string
	LastLoginAt  *time.Time
	CreatedAt    time.Time
}

// OperatorSession is a signed-in browser.
type OperatorSession struct {
	ID          uint `gorm:"primaryKey"`
	TokenHash   string
	OperatorRef uint
	Operator    Operator `gorm:"foreignKey:OperatorRef"`
	// CSRFToken must come back with every form the session posts.
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken lets a script read the JSON API.
type APIToken struct {
	ID         uint `gorm:"primaryKey"`
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Sign-in and account errors.
var (
	// ErrExists: an account or token of that name exists already.
	ErrExists = errors.New("exists already")
	// ErrBadLogin: unknown user or wrong password (deliberately the same).
	ErrBadLogin = errors.New("wrong username or password")
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 7 * 24 * time.Hour

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// passwordCost is the bcrypt cost of every password hash, and of
// dummyHash.
const passwordCost = bcrypt.DefaultCost

// Operators manages operator accounts, their sessions and API tokens.
type Operators struct {
	db *gorm.DB
	// compare checks a password against a hash: bcrypt's, or a test's
	// stand-in that watches what SignIn compares.
	compare func(hash, password []byte) error
}

// NewOperators works on a migrated database.
func NewOperators(db *gorm.DB) *Operators {
	return &Operators{db: db, compare: bcrypt.CompareHashAndPassword}
}

// dummyHash is compared against when the username is unknown, so a sign-in
// takes as long whether or not the account exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), passwordCost)

// Add creates an account.
func (o *Operators) Add(ctx context.Context, username, password string) error {
	username = strings.TrimSpace(username)
	if username == "" || len(username) > 64 || strings.ContainsAny(username, " \t\r\n") {
		return fmt.Errorf("username must be 1 to 64 characters without spaces")
	}
	if len(password) < MinPasswordLength {
		return fmt.Errorf("password must be at least %d characters", MinPasswordLength)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
	if err != nil {
		return err
	}
	err = o.db.WithContext(ctx).Create(&Operator{Username: username, PasswordHash: string(hash), CreatedAt: time.Now().UTC()}).Error
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "unique") {
		return fmt.Errorf("an operator named %q %w", username, ErrExists)
	}
	return err
}

// Delete removes an account and signs it out everywhere.
func (o *Operators) Delete(ctx context.Context, username string) error {
	res := o.db.WithContext(ctx).Where("username = ?", username).Delete(&Operator{})
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("no operator named %q", username)
	}
	return res.Error
}

// List returns the accounts by name.
func (o *Operators) List(ctx context.Context) ([]Operator, error) {
	var out []Operator
	return out, o.db.WithContext(ctx).Order("username").Find(&out).Error
}

// Count returns how many accounts and API tokens exist: with neither, the
// dashboard runs open on loopback only.
func (o *Operators) Count(ctx context.Context) (operators, tokens int64, err error) {
	db := o.db.WithContext(ctx)
	if err = db.Model(&Operator{}).Count(&operators).Error; err == nil {
		err = db.Model(&APIToken{}).Count(&tokens).Error
	}
	return operators, tokens, err
}

// SignIn checks a username and password and starts a session. An unknown
// username and a wrong password are the same ErrBadLogin, and cost the same:
// one lookup and one bcrypt comparison of the same cost. A failure changes
// nothing in the database. Repeated failures are throttled by the caller,
// per source address and username, never per account: a lock on the
// account would tell a stranger that it exists, and let one lock its owner
// out.
func (o *Operators) SignIn(ctx context.Context, username, password string, now time.Time) (token string, s *OperatorSession, err error) {
	var ops []Operator
	db := o.db.WithContext(ctx)
	if err := db.Where("username = ?", username).Limit(1).Find(&ops).Error; err != nil {
		return "", nil, err
	}
	hash := dummyHash
	if len(ops) > 0 {
		hash = []byte(ops[0].PasswordHash)
	}
	if o.compare(hash, []byte(password)) != nil || len(ops) == 0 {
		return "", nil, ErrBadLogin
	}
	op := ops[0]
	token, tokenHash := newToken()
	s = &OperatorSession{TokenHash: tokenHash, OperatorRef: op.ID, Operator: op, CSRFToken: RandomText(), CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Operator").Create(s).Error; err != nil {
			return err
		}
		return tx.Model(&Operator{}).Where("id = ?", op.ID).Update("last_login_at", now).Error
	})
	return token, s, err
}

// Session finds the live session a token names.
func (o *Operators) Session(ctx context.Context, token string, now time.Time) (*OperatorSession, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	var found []OperatorSession
	err := o.db.WithContext(ctx).Preload("Operator").Where("token_hash = ? AND expires_at > ?", hashToken(token), now).
		Limit(1).Find(&found).Error
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, ErrNotFound
	}
	return &found[0], nil
}

// SignOut ends a session.
func (o *Operators) SignOut(ctx context.Context, token string) error {
	return o.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Delete(&OperatorSession{}).Error
}

// AddToken creates a named API token and returns it; only its hash is
// kept, so it is shown this once.
func (o *Operators) AddToken(ctx context.Context, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("a token needs a name")
	}
	token, hash := newToken()
	err := o.db.WithContext(ctx).Create(&APIToken{Name: name, TokenHash: hash, CreatedAt: time.Now().UTC()}).Error
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "unique") {
		return "", fmt.Errorf("a token named %q %w", name, ErrExists)
	}
	return token, err
}

// DeleteToken revokes a named API token.
func (o *Operators) DeleteToken(ctx context.Context, name string) error {
	res := o.db.WithContext(ctx).Where("name = ?", name).Delete(&APIToken{})
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("no token named %q", name)
	}
	return res.Error
}

// Tokens lists the API tokens by name.
func (o *Operators) Tokens(ctx context.Context) ([]APIToken, error) {
	var out []APIToken
	return out, o.db.WithContext(ctx).Order("name").Find(&out).Error
}

// TokenValid reports whether an API token was issued and not revoked.
func (o *Operators) TokenValid(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	res := o.db.WithContext(ctx).Model(&APIToken{}).Where("token_hash = ?", hashToken(token)).
		Update("last_used_at", time.Now().UTC())
	return res.RowsAffected > 0, res.Error
}

// newToken makes a random token and its hash.
func newToken() (token, hash string) {
	token = RandomText()
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RandomText is 32 random bytes, URL-safe base64: a token or CSRF value.
func RandomText() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
