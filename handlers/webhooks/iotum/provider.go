package iotum

import (
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/spec"
)

// TokenEnv is the environment variable the dashboard reads the signing
// token from.
const TokenEnv = "IOTUM_SIGNING_TOKEN"

// Spec describes iotum's (Callbridge's) webhook for the registry
// (handlers/webhooks): every delivery carries the static signing token in
// TokenHeader.
func Spec() spec.Provider {
	return spec.Provider{
		Name:    Provider,
		Display: "iotum",
		Decode:  Decode,
		Secret:  spec.Secret{Env: TokenEnv, Parse: parseVerifier},
	}
}

// parseVerifier takes the token as it is: any non-empty text is a token.
func parseVerifier(token string) (spec.Verifier, error) {
	return func(_ []byte, header spec.Header, _ time.Time) error {
		return Verify(token, header(TokenHeader))
	}, nil
}
