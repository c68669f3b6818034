package handlers

import (
	"context"
	"errors"

	"portal/forms"
	"portal/templates/form"
)

// maxFormMemory is what a multipart form may hold of its files in memory;
// the rest of them wait in temporary files. Go's reader holds at most
// 10 MB more of the other fields, so a form takes at most 11 MB of memory
// while it is read (the request's body is bounded by limitBody).
const maxFormMemory = 1 << 20

// DefaultDraftFilesMaxBytes is what the files a draft holds may weigh
// together, unless Options.DraftFilesMaxBytes says otherwise.
const DefaultDraftFilesMaxBytes = 100 << 20

func (s *Server) draftFileQuota() int64 {
	if s.opts.DraftFilesMaxBytes > 0 {
		return s.opts.DraftFilesMaxBytes
	}
	return DefaultDraftFilesMaxBytes
}

// saveForm saves a section's form within the draft's file quota. When its
// uploads would take the draft beyond it, the form is saved without them
// and each is reported at its question, so that nothing typed is lost.
func (s *Server) saveForm(ctx context.Context, dc *scope, in *form.Input, actor forms.Actor) (forms.SaveResult, error) {
	quota := s.draftFileQuota()
	in.Edit.FileQuota = quota
	res, err := s.store.SaveDraft(ctx, dc.call, dc.ref, in.Edit, actor)
	if len(in.Edit.Uploads) == 0 || !errors.Is(err, forms.ErrFileQuota) {
		return res, err
	}
	for _, up := range in.Edit.Uploads {
		in.Errs["u/"+up.Question] = form.Problem{ID: "input.file.quota", Data: map[string]any{"Name": up.Name, "MaxMB": quota >> 20}}
	}
	in.Edit.Uploads = nil
	return s.store.SaveDraft(ctx, dc.call, dc.ref, in.Edit, actor)
}
