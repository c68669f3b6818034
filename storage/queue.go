package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"portal/forms"
)

// The job queue is River on the store's own database, through database/sql
// and lib/pq in poll-only mode (no LISTEN): a job is inserted in the same
// transaction as the change that causes it (enqueue), so both commit or
// neither does; workers of every replica fetch jobs with SKIP LOCKED, so a
// job is worked by one of them; periodic jobs are inserted by the one
// replica elected leader, so each runs once per period however many
// replicas there are. A job whose worker dies is rescued after an hour and
// run again: workers are written to be safe to run twice.

// Queue works the jobs of the store's database.
type Queue struct {
	client *river.Client[*sql.Tx]
	store  *Store
}

// QueueConfig says what a queue works and how often it looks.
type QueueConfig struct {
	// Workers has a worker for every kind of job the portal inserts but
	// the store's own (closing calls, deleting expired sessions), which
	// NewQueue adds.
	Workers *river.Workers
	Log     *slog.Logger
	// Poll is how often a replica looks for new jobs; 1 s when zero.
	Poll time.Duration
	// Chores is how often the store's periodic jobs run: closing calls past
	// their deadline every minute, sending the reminders due every five,
	// deleting expired sessions every ten, when zero; tests shorten it.
	Chores time.Duration
	// MaxWorkers is how many jobs a replica works at once; 10 when zero.
	MaxWorkers int
	// Retry says when a failed job is tried again; River's default
	// (attempt⁴ seconds, with jitter) when nil. Tests shorten it.
	Retry river.ClientRetryPolicy
	// Questionnaires finds a call's questionnaire, and every one (where a
	// series' figures are), for releasing a report and confirming an import.
	Questionnaires Questionnaires
}

// Questionnaires finds questionnaires: a version, and every one.
type Questionnaires interface {
	Version(key string, version int) (*forms.Questionnaire, bool)
	All() []*forms.Questionnaire
}

// The kinds of the store's own periodic jobs.
const (
	KindCloseCalls     = "close_calls"
	KindDeleteSessions = "delete_expired_sessions"
)

type closeCallsArgs struct{}

func (closeCallsArgs) Kind() string { return KindCloseCalls }

type deleteSessionsArgs struct{}

func (deleteSessionsArgs) Kind() string { return KindDeleteSessions }

type closeCallsWorker struct {
	river.WorkerDefaults[closeCallsArgs]
	s   *Store
	log *slog.Logger
}

func (w *closeCallsWorker) Work(ctx context.Context, _ *river.Job[closeCallsArgs]) error {
	keys, err := w.s.CloseCallsPastDeadline(ctx, time.Now(), forms.Actor{Label: "the portal (the deadline passed)"})
	if len(keys) > 0 {
		w.log.Info("calls closed at their deadline", "calls", keys)
	}
	return err
}

type deleteSessionsWorker struct {
	river.WorkerDefaults[deleteSessionsArgs]
	s   *Store
	log *slog.Logger
}

func (w *deleteSessionsWorker) Work(ctx context.Context, _ *river.Job[deleteSessionsArgs]) error {
	n, err := w.s.DeleteExpiredSessions(ctx)
	if n > 0 {
		w.log.Debug("expired sessions deleted", "count", n)
	}
	return err
}

// NewQueue returns a queue that works cfg's jobs and the store's periodic
// ones once started.
func (s *Store) NewQueue(cfg QueueConfig) (*Queue, error) {
	if cfg.Workers == nil {
		cfg.Workers = river.NewWorkers()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 10
	}
	closeEvery, sessionsEvery, remindersEvery := time.Minute, 10*time.Minute, 5*time.Minute
	if cfg.Chores > 0 {
		closeEvery, sessionsEvery, remindersEvery = cfg.Chores, cfg.Chores, cfg.Chores
	}
	if err := river.AddWorkerSafely(cfg.Workers, &closeCallsWorker{s: s, log: cfg.Log}); err != nil {
		return nil, fmt.Errorf("storage: queue: %w", err)
	}
	if err := river.AddWorkerSafely(cfg.Workers, &deleteSessionsWorker{s: s, log: cfg.Log}); err != nil {
		return nil, fmt.Errorf("storage: queue: %w", err)
	}
	if err := river.AddWorkerSafely(cfg.Workers, &remindersWorker{s: s}); err != nil {
		return nil, fmt.Errorf("storage: queue: %w", err)
	}
	if err := river.AddWorkerSafely(cfg.Workers, &digestsWorker{s: s}); err != nil {
		return nil, fmt.Errorf("storage: queue: %w", err)
	}
	if cfg.Questionnaires != nil {
		if err := river.AddWorkerSafely(cfg.Workers, &releaseWorker{s: s, questionnaires: cfg.Questionnaires}); err != nil {
			return nil, fmt.Errorf("storage: queue: %w", err)
		}
		if err := river.AddWorkerSafely(cfg.Workers, &confirmImportWorker{s: s, questionnaires: cfg.Questionnaires}); err != nil {
			return nil, fmt.Errorf("storage: queue: %w", err)
		}
	}
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(closeEvery),
			func() (river.JobArgs, *river.InsertOpts) { return closeCallsArgs{}, nil },
			&river.PeriodicJobOpts{ID: KindCloseCalls, RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(sessionsEvery),
			func() (river.JobArgs, *river.InsertOpts) { return deleteSessionsArgs{}, nil },
			&river.PeriodicJobOpts{ID: KindDeleteSessions}),
		river.NewPeriodicJob(river.PeriodicInterval(remindersEvery),
			func() (river.JobArgs, *river.InsertOpts) { return remindersArgs{}, nil },
			&river.PeriodicJobOpts{ID: KindReminders, RunOnStart: true}),
		river.NewPeriodicJob(dailyAt{hour: DigestHour},
			func() (river.JobArgs, *river.InsertOpts) { return digestsArgs{}, nil },
			&river.PeriodicJobOpts{ID: KindDigests}),
	}
	client, err := river.NewClient(riverdatabasesql.New(s.db.DB), &river.Config{
		// River reports its routine (job counts, leadership) at info: the
		// portal's log keeps its warnings and errors.
		Logger:            slog.New(atLeast{Handler: cfg.Log.Handler(), min: slog.LevelWarn}).With("in", "queue"),
		PollOnly:          true,
		FetchPollInterval: cfg.Poll,
		FetchCooldown:     min(cfg.Poll/2, 100*time.Millisecond),
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		Workers:           cfg.Workers,
		PeriodicJobs:      periodic,
		RetryPolicy:       cfg.Retry,
		// Done jobs are kept a week for the admins' page.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: queue: %w", err)
	}
	return &Queue{client: client, store: s}, nil
}

// Start starts working jobs until ctx ends or Stop.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("storage: queue: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for those being worked, until ctx
// ends.
func (q *Queue) Stop(ctx context.Context) error {
	if err := q.client.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("storage: queue: stop: %w", err)
	}
	return nil
}

// enqueue inserts jobs in tx: they are worked once tx commits, and never
// if it rolls back.
func (s *Store) enqueue(ctx context.Context, tx *sqlx.Tx, jobs ...river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	if _, err := s.queue.InsertManyTx(ctx, tx.Tx, jobs); err != nil {
		return classify(fmt.Errorf("storage: enqueue: %w", err))
	}
	return nil
}

// Insert inserts jobs outside any change of the store's (an action that
// only causes work: a reminder sent now).
func (q *Queue) Insert(ctx context.Context, jobs ...river.InsertManyParams) error {
	if _, err := q.client.InsertMany(ctx, jobs); err != nil {
		return classify(fmt.Errorf("storage: enqueue: %w", err))
	}
	return nil
}

// jobStates maps River's states onto the portal's.
var jobStates = map[string]forms.JobState{
	"available": forms.JobPending, "scheduled": forms.JobPending, "pending": forms.JobPending,
	"running": forms.JobRunning, "retryable": forms.JobRetrying, "discarded": forms.JobFailed,
	"completed": forms.JobDone, "cancelled": forms.JobCancelled,
}

// jobRow is a job as river_job holds it, read with jobColumns.
type jobRow struct {
	ID          int64          `db:"id"`
	Kind        string         `db:"kind"`
	State       string         `db:"state"`
	Attempt     int            `db:"attempt"`
	MaxAttempts int            `db:"max_attempts"`
	Error       sql.NullString `db:"error"`
	CreatedAt   time.Time      `db:"created_at"`
	ScheduledAt time.Time      `db:"scheduled_at"`
	FinalizedAt sql.NullTime   `db:"finalized_at"`
}

const jobColumns = `id, kind, state::text AS state, attempt, max_attempts,
	errors[array_length(errors, 1)]->>'error' AS error, created_at, scheduled_at, finalized_at`

func (r jobRow) job() forms.Job {
	return forms.Job{ID: r.ID, Kind: r.Kind, State: jobStates[r.State], Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		Error: r.Error.String, CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt, FinalizedAt: r.FinalizedAt.Time}
}

// Jobs returns the newest jobs in state (every state when ""), at most
// limit, newest first, read from River's table: a store lists them without
// a queue of its own.
func (s *Store) Jobs(ctx context.Context, state forms.JobState, limit int) ([]forms.Job, error) {
	states := []string{}
	for rs, st := range jobStates {
		if state == "" || st == state {
			states = append(states, rs)
		}
	}
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+jobColumns+` FROM river_job WHERE state::text = ANY($1) ORDER BY id DESC LIMIT $2`,
		pq.Array(states), max(1, min(limit, 1000))); err != nil {
		return nil, classify(fmt.Errorf("storage: jobs: %w", err))
	}
	out := make([]forms.Job, len(rows))
	for i, r := range rows {
		out[i] = r.job()
	}
	return out, nil
}

// atLeast passes on the records of a handler at min or above.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(as []slog.Attr) slog.Handler {
	return atLeast{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{Handler: h.Handler.WithGroup(name), min: h.min}
}

// oneWhileActive are the insert options of a job an analyst's click asks
// for: one per its unique arguments while it waits or runs (two clicks,
// one job; a click after it has ended asks again), and a failure retried
// three times (what is asked is checked first, so what fails is the
// database).
func oneWhileActive() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// lastJob returns the newest job of the kind whose argument key is value,
// for a page that follows what it asked; false when there is none.
func (s *Store) lastJob(ctx context.Context, kind, key, value string) (forms.Job, bool, error) {
	var r jobRow
	err := s.db.GetContext(ctx, &r, `SELECT `+jobColumns+` FROM river_job WHERE kind = $1 AND args->>$2 = $3 ORDER BY id DESC LIMIT 1`,
		kind, key, value)
	if errors.Is(err, sql.ErrNoRows) {
		return forms.Job{}, false, nil
	}
	if err != nil {
		return forms.Job{}, false, classify(fmt.Errorf("storage: %s job of %s: %w", kind, value, err))
	}
	return r.job(), true, nil
}
