package videosdk

import (
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/spec"
)

// Where the dashboard reads the webhook public key: the PEM itself in
// KeyEnv (literal "\n" allowed), or a file named by KeyFileFlag, which
// defaults to KeyFileEnv.
const (
	KeyEnv      = "VIDEOSDK_WEBHOOK_PUBLIC_KEY"
	KeyFileEnv  = "VIDEOSDK_WEBHOOK_PUBLIC_KEY_FILE"
	KeyFileFlag = "videosdk-public-key-file"
)

// Spec describes VideoSDK's webhook for the registry (handlers/webhooks):
// deliveries are signed with RSA-SHA256 over the raw body, checked against
// the public key VideoSDK publishes.
func Spec() spec.Provider {
	return spec.Provider{
		Name:    Provider,
		Display: "VideoSDK",
		Decode:  Decode,
		Secret: spec.Secret{
			Env:       KeyEnv,
			FileFlag:  KeyFileFlag,
			FileEnv:   KeyFileEnv,
			FileUsage: "PEM file with VideoSDK's webhook public key (env " + KeyFileEnv + ", or the PEM itself in " + KeyEnv + ")",
			Parse:     parseVerifier,
		},
	}
}

// parseVerifier reads the public key's PEM into a check of each delivery's
// SignatureHeader.
func parseVerifier(text string) (spec.Verifier, error) {
	key, err := ParsePublicKey([]byte(text))
	if err != nil {
		return nil, err
	}
	return func(body []byte, header spec.Header, _ time.Time) error {
		return Verify(key, body, header(SignatureHeader))
	}, nil
}
