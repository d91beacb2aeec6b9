// Package static holds the dashboard's browser assets: our own stylesheet and
// script, and the vendored htmx library with its websocket extension.
package static

import "embed"

// FS holds app.css, app.js and the vendored scripts under vendor/ (the
// vendor README and licence files are not embedded). Paths inside FS are
// relative to this directory, e.g. "app.css" or "vendor/htmx.min.js".
//
//go:embed app.css app.js vendor/*.js
var FS embed.FS
