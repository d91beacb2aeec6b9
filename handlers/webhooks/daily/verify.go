package daily

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The request headers that carry Daily's signature and the time it was
// made.
const (
	SignatureHeader = "X-Webhook-Signature"
	TimestampHeader = "X-Webhook-Timestamp"
)

// DefaultMaxSkew is how far the signature's timestamp may be from now when
// Verify is given no positive maxSkew.
const DefaultMaxSkew = 5 * time.Minute

// ErrBadSignature is wrapped by Verify's errors.
var ErrBadSignature = errors.New("bad signature")

// ParseSecret decodes the webhook secret as Daily gives it (the webhook's
// "hmac", base64). Standard or URL alphabet, padded or not, is accepted;
// surrounding space is ignored. The decoded bytes, not the text, are the
// HMAC key.
func ParseSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("daily webhook secret: empty")
	}
	t := strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding.Strict(), base64.RawURLEncoding.Strict()} {
		if b, err := enc.DecodeString(t); err == nil && len(b) > 0 {
			return b, nil
		}
	}
	return nil, errors.New("daily webhook secret: not base64 (Daily gives the hmac secret base64-encoded)")
}

// Verify checks X-Webhook-Signature = base64(HMAC-SHA256(secret, timestamp
// + "." + body)) in constant time, and that the timestamp (seconds or
// milliseconds, integer or float) is within maxSkew of now (5 minutes is
// what the server will use; maxSkew <= 0 means DefaultMaxSkew). secret is
// the decoded key from ParseSecret; body is the raw request body and
// timestamp the header's value, both exactly as received. Errors wrap
// ErrBadSignature and say which check failed (no secret, missing header,
// signature not base64 or hex, mismatch, unreadable, stale or future
// timestamp). The signature is checked before the time, so a wrong secret
// is never reported as clock skew.
func Verify(secret, body []byte, signature, timestamp string, now time.Time, maxSkew time.Duration) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no webhook secret configured", ErrBadSignature)
	}
	signature = strings.TrimSpace(signature)
	if signature == "" {
		return fmt.Errorf("%w: missing %s header", ErrBadSignature, SignatureHeader)
	}
	if timestamp == "" {
		return fmt.Errorf("%w: missing %s header", ErrBadSignature, TimestampHeader)
	}
	got, ok := decodeSignature(signature)
	if !ok || len(got) != sha256.Size {
		if isHexDigest(signature) {
			return fmt.Errorf("%w: %s header is a hex digest; Daily signs with base64", ErrBadSignature, SignatureHeader)
		}
		return fmt.Errorf("%w: %s header is not a base64 HMAC-SHA256", ErrBadSignature, SignatureHeader)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%w: signature does not match the body and timestamp", ErrBadSignature)
	}
	at, ok := parseUnix(timestamp)
	if !ok {
		return fmt.Errorf("%w: %s header %q is not a Unix time", ErrBadSignature, TimestampHeader, short(timestamp))
	}
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	if old := now.Sub(at); old > maxSkew {
		return fmt.Errorf("%w: timestamp is stale: %s old, more than %s", ErrBadSignature, old.Round(time.Second), maxSkew)
	}
	if ahead := at.Sub(now); ahead > maxSkew {
		return fmt.Errorf("%w: timestamp is in the future: %s ahead, more than %s", ErrBadSignature, ahead.Round(time.Second), maxSkew)
	}
	return nil
}

// decodeSignature reads base64 in either alphabet, padded or not.
func decodeSignature(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func isHexDigest(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
