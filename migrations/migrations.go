// Package migrations holds the portal's database schema as numbered SQL files
// in goose's format, embedded in the binary. Files are forward-only once they
// have landed: a change to the schema is a new file, never an edit.
// Migration 00014 alone is written in Go, in storage (GoMigrations): the job
// queue's tables, made by River's own migrations at a fixed version.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_what.sql.
//
//go:embed *.sql
var FS embed.FS
