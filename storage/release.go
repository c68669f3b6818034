package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"portal/forms"
)

// Releasing a report takes seconds at full scale: the analyst's click asks
// for it (a job), and the page follows the job until the release is there.
// Two clicks make one job while the first waits or runs.

// KindRelease is the job that releases a call's report.
const KindRelease = "release_report"

// ReleaseArgs asks for the release of the call's report, on behalf of an
// analyst. Only the call makes a job unique.
type ReleaseArgs struct {
	Call   string `json:"call" river:"unique"`
	UserID int64  `json:"user_id"`
	By     string `json:"by"`
}

// Kind is the job's kind.
func (ReleaseArgs) Kind() string { return KindRelease }

// InsertOpts: one release waiting or running per call; a failure is
// retried three times (a release is checked before it is asked for, so
// what fails is the database).
func (ReleaseArgs) InsertOpts() river.InsertOpts { return oneWhileActive() }

type releaseWorker struct {
	river.WorkerDefaults[ReleaseArgs]
	s              *Store
	questionnaires Questionnaires
}

// Timeout: a release at full scale takes seconds, not minutes.
func (w *releaseWorker) Timeout(*river.Job[ReleaseArgs]) time.Duration { return 5 * time.Minute }

func (w *releaseWorker) Work(ctx context.Context, job *river.Job[ReleaseArgs]) error {
	call, err := w.s.CallByKey(ctx, job.Args.Call)
	if err != nil {
		return err
	}
	// Done already by an earlier run that died before it could say so.
	rels, err := w.s.Releases(ctx, call.Key)
	if err != nil {
		return err
	}
	if len(rels) > 0 && !rels[0].ReleasedAt.Before(job.CreatedAt) {
		return nil
	}
	q, ok := w.questionnaires.Version(call.Questionnaire, call.Version)
	if !ok {
		return river.JobCancel(fmt.Errorf("no questionnaire %s v%d", call.Questionnaire, call.Version))
	}
	_, err = w.s.ReleaseReport(ctx, call, q, w.questionnaires.All(), forms.Actor{UserID: job.Args.UserID, Label: job.Args.By})
	if forms.KindOf(err) == forms.KindInvalid {
		return river.JobCancel(err) // nothing to release (no title): asking again will not help
	}
	return err
}

// RequestRelease asks for the release of the call's report; a request
// waiting or running already for the call stands for this one.
func (s *Store) RequestRelease(ctx context.Context, call forms.Call, actor forms.Actor) error {
	if _, err := s.queue.Insert(ctx, ReleaseArgs{Call: call.Key, UserID: actor.UserID, By: actor.Label}, nil); err != nil {
		return classify(fmt.Errorf("storage: request release of %s: %w", call.Key, err))
	}
	return nil
}

// ReleaseRequest says where the last request to release the call's report
// stands; false when there was none.
func (s *Store) ReleaseRequest(ctx context.Context, call forms.Call) (forms.Job, bool, error) {
	return s.lastJob(ctx, KindRelease, "call", call.Key)
}
