package iotum

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
)

// TokenHeader is the request header that carries iotum's static signing
// token (shown in the Developers section of the Callbridge admin UI).
const TokenHeader = "x-signing-token"

// ErrBadToken is wrapped by Verify's errors.
var ErrBadToken = errors.New("bad signing token")

// Verify checks the x-signing-token header against the configured token in
// constant time (crypto/subtle). Both are hashed first, so the comparison
// does not reveal the token's length either. The header must be exactly the
// token: no trimming, no case folding. Errors wrap ErrBadToken: the header
// is missing (empty), it does not match, or no token is configured.
func Verify(token, header string) error {
	if token == "" {
		return fmt.Errorf("%w: no token configured", ErrBadToken)
	}
	if header == "" {
		return fmt.Errorf("%w: missing %s header", ErrBadToken, TokenHeader)
	}
	want, got := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(header))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		return fmt.Errorf("%w: %s header does not match", ErrBadToken, TokenHeader)
	}
	return nil
}
