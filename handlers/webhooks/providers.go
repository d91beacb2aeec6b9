// Package webhooks is the registry of webhook providers: the one list that
// everything outside the providers' own folders reads. The webhook routes
// (handlers), the metrics' provider label, the projector's decoding
// (Decode), the dashboard's configuration (each provider's secret, its
// environment variable and flag), the webhook URLs printed at startup and
// the warnings about unverified providers all come from Providers.
//
// To add a provider: make its folder, handlers/webhooks/<name>, with a pure
// Decode, a Verify, and a Spec function describing them (see spec.Provider
// and videosdk/provider.go), and add one line to Providers. Nothing else
// names a provider; TestOnlyTheRegistryImportsProviders keeps it so.
package webhooks

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/meetboard/meetboard/handlers/webhooks/daily"
	"github.com/meetboard/meetboard/handlers/webhooks/iotum"
	"github.com/meetboard/meetboard/handlers/webhooks/spec"
	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
	"github.com/meetboard/meetboard/models"
)

// PathPrefix is where the webhook routes live: a provider is served at
// PathPrefix + its Name (Provider.Path).
const PathPrefix = spec.PathPrefix

// Provider describes one provider's webhook: its name, route, decoder and
// secret.
type Provider = spec.Provider

// Secret is a provider's verification setting.
type Secret = spec.Secret

// Verifier checks one delivery with a parsed secret.
type Verifier = spec.Verifier

// Header looks a request header up by name.
type Header = spec.Header

// Providers lists the providers, one line each, in the order they are
// shown. It returns a new slice each time: there is no shared list to
// change.
func Providers() []Provider {
	return []Provider{
		videosdk.Spec(),
		daily.Spec(),
		iotum.Spec(),
	}
}

// Find returns the provider of list with the given name.
func Find(list []Provider, name string) (Provider, bool) {
	for _, p := range list {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// validName is what a provider's name may be: it is a URL segment matched
// without regard to case, a metric label and a log field.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Validate checks a provider list: every entry has a well-formed name, a
// display name, a decoder and a secret setting, and no two share a name,
// an environment variable or a flag.
func Validate(list []Provider) error {
	var errs []error
	names, settings := map[string]bool{}, map[string]string{}
	claim := func(p Provider, what, setting string) {
		if setting == "" {
			return
		}
		if other, ok := settings[setting]; ok {
			errs = append(errs, fmt.Errorf("provider %q: %s %s is provider %q's too", p.Name, what, setting, other))
		}
		settings[setting] = p.Name
	}
	for _, p := range list {
		if !validName.MatchString(p.Name) {
			errs = append(errs, fmt.Errorf("provider %q: the name must be lower-case letters, digits and '-'", p.Name))
		}
		if names[p.Name] {
			errs = append(errs, fmt.Errorf("provider %q is listed twice", p.Name))
		}
		names[p.Name] = true
		if p.Display == "" {
			errs = append(errs, fmt.Errorf("provider %q: no display name", p.Name))
		}
		if p.Decode == nil {
			errs = append(errs, fmt.Errorf("provider %q: no decoder", p.Name))
		}
		s := p.Secret
		if s.Env == "" || s.Parse == nil {
			errs = append(errs, fmt.Errorf("provider %q: its secret needs an environment variable and a Parse", p.Name))
		}
		if (s.FileFlag == "") != (s.FileEnv == "") {
			errs = append(errs, fmt.Errorf("provider %q: a secret file needs both a flag and an environment variable", p.Name))
		}
		claim(p, "environment variable", s.Env)
		claim(p, "environment variable", s.FileEnv)
		claim(p, "flag", s.FileFlag)
	}
	return errors.Join(errs...)
}

// Decoder is a models.Decoder over list's decoders, for a store whose
// deliveries come from those providers.
func Decoder(list []Provider) models.Decoder {
	decoders := make(map[string]func([]byte) (models.Event, error), len(list))
	for _, p := range list {
		decoders[p.Name] = p.Decode
	}
	return func(provider string, body []byte) (models.Event, error) {
		decode, ok := decoders[provider]
		if !ok {
			return models.Event{}, fmt.Errorf("no decoder for provider %q", provider)
		}
		return decode(body)
	}
}

// decodeRegistered is Decoder(Providers()), built once; nothing changes it.
var decodeRegistered = Decoder(Providers())

// Decode reads a body of the named registered provider; it is the
// models.Decoder of the dashboard's store.
func Decode(provider string, body []byte) (models.Event, error) {
	return decodeRegistered(provider, body)
}
