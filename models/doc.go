// Package models holds the dashboard's data: the normalized events that
// provider decoders produce, the GORM models they fold into, the versioned
// migrations, and the Store: it writes deliveries to the event log (the
// source of truth), folds the log into the models behind the answers (the
// projector), and answers the queries the pages and the JSON API need.
//
// It imports no HTTP, templating or websocket code: storage knows nothing of
// how a delivery arrived or how its result is shown.
package models
