// Package static holds the dashboard's browser assets: our own stylesheets
// and scripts, and the vendored htmx library with its websocket extension.
package static

import "embed"

// FS holds app.css and app.js, fleet.css and fleet.js (the live-rooms
// board), and the vendored scripts under vendor/ (the vendor README and
// licence files are not embedded). Paths inside FS are relative to this
// directory, e.g. "app.css" or "vendor/htmx.min.js".
//
//go:embed app.css app.js fleet.css fleet.js vendor/*.js
var FS embed.FS
