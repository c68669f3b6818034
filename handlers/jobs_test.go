package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"portal/storage"
	"portal/storage/storagetest"
)

type failingArgs struct{}

func (failingArgs) Kind() string { return "always_fails" }

type failingWorker struct {
	river.WorkerDefaults[failingArgs]
}

func (failingWorker) Work(context.Context, *river.Job[failingArgs]) error {
	return errors.New("the relay said 451 try again later")
}

// TestJobsPage: an admin sees the queue's jobs by state, a failed attempt
// with its error and when it runs again; the chores the queue runs by
// itself are named in words.
func TestJobsPage(t *testing.T) {
	store := storagetest.NewStore(t)
	ts, _ := startServer(t, store)
	workers := river.NewWorkers()
	river.AddWorker(workers, failingWorker{})
	q, err := store.NewQueue(storage.QueueConfig{Workers: workers, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := q.Insert(ctx, river.InsertManyParams{Args: failingArgs{}}); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Stop(stop)
	})
	admin := clientAs(t, ts.URL, "demo-admin")
	var page string
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r := do(t, admin, "GET", ts.URL+"/office/jobs?state=retrying", nil)
		if r.status != http.StatusOK {
			t.Fatalf("jobs page: %d", r.status)
		}
		if page = r.body; strings.Contains(page, "always_fails") {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the failed attempt never showed:\n%s", page)
		}
	}
	for _, want := range []string{"To try again", "the relay said 451 try again later", " of 25"} {
		if !strings.Contains(page, want) {
			t.Errorf("the retrying job's row lacks %q", want)
		}
	}
	// Once elected leader, the queue closes calls past their deadline.
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if r := do(t, admin, "GET", ts.URL+"/office/jobs?state=done", nil); strings.Contains(r.body, "Close calls past their deadline") {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the chores the queue ran are not listed as done, in words")
		}
	}
	if r := do(t, admin, "GET", ts.URL+"/office/jobs?state=nonsense", nil); r.status != http.StatusOK || !strings.Contains(r.body, `aria-current="page">All<`) {
		t.Errorf("an unknown state: %d, want every job", r.status)
	}
}
