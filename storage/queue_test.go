package storage_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"portal/forms"
	"portal/storage"
	"portal/storage/storagetest"
)

type countedArgs struct{ N int }

func (countedArgs) Kind() string { return "counted" }

// countedWorker counts the runs of each job.
type countedWorker struct {
	river.WorkerDefaults[countedArgs]
	runs    *sync.Map // job N → *atomic.Int32
	replica *atomic.Int32
}

func (w *countedWorker) Work(ctx context.Context, j *river.Job[countedArgs]) error {
	n, _ := w.runs.LoadOrStore(j.Args.N, new(atomic.Int32))
	n.(*atomic.Int32).Add(1)
	w.replica.Add(1)
	return nil
}

// TestQueueTwoReplicas: two portals on one database, each with its own
// pool and queue, as two replicas. Each job is worked once, by one of
// them; the periodic chores are inserted by the leader alone, so a call
// past its deadline is closed once and the chores do not run twice per
// period.
func TestQueueTwoReplicas(t *testing.T) {
	url := storagetest.NewDatabase(t)
	ctx := context.Background()
	var runs sync.Map
	var done [2]atomic.Int32
	var queues [2]*storage.Queue
	var stores [2]*storage.Store
	const chores = 400 * time.Millisecond
	for i := range 2 {
		s, err := storage.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		workers := river.NewWorkers()
		river.AddWorker(workers, &countedWorker{runs: &runs, replica: &done[i]})
		q, err := s.NewQueue(storage.QueueConfig{Workers: workers, Poll: 50 * time.Millisecond, Chores: chores})
		if err != nil {
			t.Fatal(err)
		}
		stores[i], queues[i] = s, q
	}
	s := stores[0]
	c := openCall(t, s, time.Now().Add(time.Hour))
	db := rawDB(t, url)
	if _, err := db.ExecContext(ctx, `UPDATE calls SET deadline = now() - interval '1 hour' WHERE key = $1`, c.Key); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, q := range queues {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			q.Stop(stop)
		})
	}
	const jobs = 200
	params := make([]river.InsertManyParams, jobs)
	for i := range params {
		params[i] = river.InsertManyParams{Args: countedArgs{N: i}}
	}
	if err := queues[1].Insert(ctx, params...); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var closed int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM calls WHERE key = $1 AND state = 'closed'`, c.Key).Scan(&closed); err != nil {
			t.Fatal(err)
		}
		if done[0].Load()+done[1].Load() >= jobs && closed == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d jobs worked, call closed %d", done[0].Load()+done[1].Load(), closed)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(3 * chores) // a few more periods of chores
	elapsed := time.Since(start)
	for i := range jobs {
		n, ok := runs.Load(i)
		if !ok || n.(*atomic.Int32).Load() != 1 {
			t.Errorf("job %d worked %v times, want once", i, n)
		}
	}
	t.Logf("jobs worked by each replica: %d and %d", done[0].Load(), done[1].Load())
	var audited int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'call.closed' AND target = $1`, c.Key).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("the call was closed %d times (%v), want once", audited, err)
	}
	// Each chore is inserted once per period by the leader: two replicas
	// inserting would make twice as many.
	most := int(elapsed/chores) + 2
	for _, kind := range []string{storage.KindCloseCalls, storage.KindDeleteSessions} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d runs in %v", kind, n, elapsed.Round(time.Millisecond))
		if n == 0 || n > most {
			t.Errorf("%s ran %d times in %v, want 1 to %d (once per %v)", kind, n, elapsed, most, chores)
		}
	}
	list, err := s.Jobs(ctx, forms.JobDone, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < jobs {
		t.Errorf("the admins' list shows %d done jobs, want at least %d", len(list), jobs)
	}
}

func rawDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
