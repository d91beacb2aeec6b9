// Package static holds the dashboard's browser assets: our own stylesheets,
// scripts and icon, and the vendored htmx library with its websocket
// extension.
package static

import "embed"

// FS holds app.css, charts.css (the charts' styles), find.css and find.js
// (search, filters and permalinks), app.js, times.js
// (times in the browser's zone or UTC), alerts.js (browser notifications
// of alerts), player.css and player.js (the in-page HLS player), fleet.css
// and fleet.js (the live-rooms board), the icon (favicon.svg, and
// favicon.ico with 16 and 32 pixel PNGs of the same drawing for browsers
// that ask for /favicon.ico) and the vendored scripts under vendor/ (the
// vendor README and licence files are not embedded). Paths inside FS are
// relative to this directory, e.g. "app.css" or "vendor/htmx.min.js".
//
//go:embed app.css charts.css find.css app.js times.js find.js alerts.js player.css player.js fleet.css fleet.js favicon.svg favicon.ico vendor/*.js
var FS embed.FS
