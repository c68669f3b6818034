// Package migrations holds the portal's database schema as numbered SQL files
// in goose's format, embedded in the binary. Files are forward-only once they
// have landed: a change to the schema is a new file, never an edit.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_what.sql.
//
//go:embed *.sql
var FS embed.FS
