package daily

import (
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/spec"
)

// SecretEnv is the environment variable the dashboard reads the webhook's
// hmac secret from, base64 as Daily gives it.
const SecretEnv = "DAILY_WEBHOOK_SECRET"

// Spec describes Daily's webhook for the registry (handlers/webhooks):
// deliveries carry an HMAC-SHA256 of the timestamp and body, which must be
// within DefaultMaxSkew of the arrival time; the test request Daily sends
// when a webhook is created is answered 200 and not stored.
func Spec() spec.Provider {
	return spec.Provider{
		Name:    Provider,
		Display: "Daily",
		Decode:  Decode,
		IsTest:  IsTest,
		Secret:  spec.Secret{Env: SecretEnv, Parse: parseVerifier},
	}
}

// parseVerifier decodes the secret (see ParseSecret) into a check of each
// delivery's SignatureHeader and TimestampHeader.
func parseVerifier(text string) (spec.Verifier, error) {
	secret, err := ParseSecret(text)
	if err != nil {
		return nil, err
	}
	return func(body []byte, header spec.Header, received time.Time) error {
		return Verify(secret, body, header(SignatureHeader), header(TimestampHeader), received, DefaultMaxSkew)
	}, nil
}
