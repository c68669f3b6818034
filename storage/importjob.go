package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"portal/forms"
)

// Confirming an import of half a million rows takes the database some
// seconds: the analyst's click asks for it (a job), and the page follows
// the job until the import is there. Two clicks make one job while the
// first waits or runs; a click after it is done finds the import made.

// KindConfirmImport is the job that makes an upload an import.
const KindConfirmImport = "confirm_import"

// ConfirmImportArgs asks for the confirmation of an upload, on behalf of
// an analyst. Only the upload makes a job unique.
type ConfirmImportArgs struct {
	Token  string `json:"token" river:"unique"`
	UserID int64  `json:"user_id"`
	By     string `json:"by"`
}

// Kind is the job's kind.
func (ConfirmImportArgs) Kind() string { return KindConfirmImport }

// InsertOpts: one confirmation waiting or running per upload; a failure
// is retried three times (what fails is the database: the confirmation is
// one transaction, so a retry starts afresh).
func (ConfirmImportArgs) InsertOpts() river.InsertOpts { return oneWhileActive() }

type confirmImportWorker struct {
	river.WorkerDefaults[ConfirmImportArgs]
	s              *Store
	questionnaires Questionnaires
}

// Timeout: half a million rows take some twenty seconds; a slow disk, minutes.
func (w *confirmImportWorker) Timeout(*river.Job[ConfirmImportArgs]) time.Duration {
	return 30 * time.Minute
}

func (w *confirmImportWorker) Work(ctx context.Context, job *river.Job[ConfirmImportArgs]) error {
	all := w.questionnaires.All()
	var codes []string
	for _, q := range all {
		for _, c := range q.SeriesCells() {
			codes = append(codes, c.Code)
		}
	}
	_, err := w.s.ConfirmImport(ctx, job.Args.Token, forms.SeriesSources(all, codes...), forms.Actor{UserID: job.Args.UserID, Label: job.Args.By})
	switch forms.KindOf(err) {
	case forms.KindConflict:
		return nil // nothing to import: done, the upload left as it was (ImportOfUpload says so)
	case forms.KindNotFound:
		return river.JobCancel(err) // the upload is gone: asking again will not help
	}
	return err
}

// RequestConfirmImport asks for the confirmation of an upload (a job); a
// request waiting or running already for it stands for this one. An
// upload confirmed already is returned with Already set, and nothing is
// asked; one that is not there is KindNotFound.
func (s *Store) RequestConfirmImport(ctx context.Context, token string, actor forms.Actor) (forms.SeriesImport, error) {
	imp, ok, err := s.ImportOfUpload(ctx, token)
	if err != nil || ok {
		imp.Already = ok
		return imp, err
	}
	if _, err := s.queue.Insert(ctx, ConfirmImportArgs{Token: token, UserID: actor.UserID, By: actor.Label}, nil); err != nil {
		return imp, classify(fmt.Errorf("storage: request import of %s: %w", token, err))
	}
	return imp, nil
}

// ImportOfUpload returns the import an upload was confirmed as, and false
// when it has not been (yet); KindNotFound when there is no such upload.
func (s *Store) ImportOfUpload(ctx context.Context, token string) (forms.SeriesImport, bool, error) {
	_, p, err := upload(ctx, s.db, token)
	if err != nil || p.Imported == "" {
		return forms.SeriesImport{FileName: p.FileName}, false, err
	}
	imps, err := s.imports(ctx, p.Imported)
	if err != nil || len(imps) == 0 {
		return forms.SeriesImport{}, false, err
	}
	return imps[0], true, nil
}

// ImportRequest says where the last request to confirm the upload stands;
// false when there was none.
func (s *Store) ImportRequest(ctx context.Context, token string) (forms.Job, bool, error) {
	return s.lastJob(ctx, KindConfirmImport, "token", token)
}
