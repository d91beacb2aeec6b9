// Package webhooks lists the providers' decoders, for code that reads a
// stored body by its provider's name: the projector, which decodes every
// logged delivery again (see models.Decoder).
package webhooks

import (
	"fmt"

	"github.com/meetboard/meetboard/handlers/webhooks/daily"
	"github.com/meetboard/meetboard/handlers/webhooks/iotum"
	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
	"github.com/meetboard/meetboard/models"
)

// decoders maps each provider's name to its decoder.
var decoders = map[string]func([]byte) (models.Event, error){
	videosdk.Provider: videosdk.Decode,
	daily.Provider:    daily.Decode,
	iotum.Provider:    iotum.Decode,
}

// Decode reads a body of the named provider; it is a models.Decoder.
func Decode(provider string, body []byte) (models.Event, error) {
	decode, ok := decoders[provider]
	if !ok {
		return models.Event{}, fmt.Errorf("no decoder for provider %q", provider)
	}
	return decode(body)
}
