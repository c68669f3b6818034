// Package templates holds the portal's HTML templates, its static assets
// (stylesheet, scripts) and the translation catalogues of its interface
// text, embedded in the binary.
//
// layout.html is the base every page shares and partials.html the pieces
// several pages use; each file in pages/ is one page and is parsed together
// with those two into a template set of its own.
// locales/NN.json holds the interface text in each of the six UN languages,
// keyed by message ID; English is complete and the others fall back to it.
// Package templates/words reads them.
package templates

import "embed"

// FS holds layout.html, pages/*.html, static/* and locales/*.json.
//
//go:embed layout.html partials.html pages static locales
var FS embed.FS
