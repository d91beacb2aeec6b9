// Package models holds the dashboard's data: the normalized events that
// provider decoders produce, the GORM models they fold into, the versioned
// migrations, and the Store that applies deliveries durably and answers the
// queries the pages and the JSON API need.
//
// It imports no HTTP, templating or websocket code: storage knows nothing of
// how a delivery arrived or how its result is shown.
package models
