package storage

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

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
	)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return classify(fmt.Errorf("storage: migrate: %w", err))
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
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
