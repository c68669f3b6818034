package storage

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"portal/migrations"
)

// migrationLockID keys the PostgreSQL advisory lock held while migrating, so
// that portals starting together apply each migration once.
const migrationLockID = 0x504f5254414c // "PORTAL"

// Migrate applies every pending migration under a session-level advisory
// lock; a second caller waits for the first and then finds nothing to do.
// It logs each migration applied.
func Migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID),
		lock.WithLockTimeout(1, 300), // poll every second, up to five minutes
	)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(GoMigrations()...),
	)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return classify(fmt.Errorf("storage: migrate: %w", err))
	}
	for _, r := range results {
		file := r.Source.Path
		if file == "" {
			file = "(in Go: the job queue's tables)"
		}
		log.Info("migration applied", "version", r.Source.Version, "file", file, "took", r.Duration)
	}
	return nil
}

// Migrate applies pending migrations to the store's database (see
// Migrate), then prepares the statements the store prepares on each
// connection: one that the schema breaks fails the start here, naming it,
// rather than the first page that needs it.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) error {
	if err := Migrate(ctx, s.db.DB, log); err != nil {
		return err
	}
	return s.prepareHot(ctx)
}

// JobsVersion is migration 00014, written in Go rather than SQL (the
// migrations package holds SQL alone): the tables of the job queue
// (River's), made by River's own migrations up to RiverVersion, each in a
// transaction of its own (River adds a value to an enum that a later step
// uses, which one transaction cannot do); River records each step, so a
// start that stops halfway goes on from there. Like the SQL files it never
// changes once landed: a River release with a newer schema comes in a new
// numbered migration that takes River from RiverVersion to its own.
const (
	JobsVersion  = 14
	RiverVersion = 8
)

// GoMigrations are the migrations written in Go, for goose.
func GoMigrations() []*goose.Migration {
	return []*goose.Migration{
		goose.NewGoMigration(JobsVersion,
			&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
				return migrateRiver(ctx, db, rivermigrate.DirectionUp, RiverVersion)
			}},
			&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
				return migrateRiver(ctx, db, rivermigrate.DirectionDown, -1) // every River table
			}}),
	}
}

func migrateRiver(ctx context.Context, db *sql.DB, dir rivermigrate.Direction, target int) error {
	m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
	if err != nil {
		return fmt.Errorf("storage: migrate river: %w", err)
	}
	if _, err := m.Migrate(ctx, dir, &rivermigrate.MigrateOpts{TargetVersion: target}); err != nil {
		return classify(fmt.Errorf("storage: migrate river %s to %d: %w", dir, target, err))
	}
	return nil
}
