package storage_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"portal/forms"
)

// filesQuestionnaire is smallQuestionnaire with a file question.
var filesQuestionnaire = &forms.Questionnaire{Key: "small", Version: 1, Title: forms.Text{forms.English: "Small"},
	Sections: []forms.Section{{Key: "s", Title: forms.Text{forms.English: "S"}, Questions: []forms.Question{
		{Key: "views", Kind: forms.Narrative, Required: true, Label: forms.Text{forms.English: "Views"}},
		{Key: "docs", Kind: forms.Attachment, Label: forms.Text{forms.English: "Documents"}, Accept: []string{"application/pdf"}},
	}}}}

func pdfOf(n int) []byte {
	return append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, n-9)...)
}

func upload(name string, data []byte) forms.Upload {
	return forms.Upload{Question: "docs", Name: name, ContentType: "application/pdf", Data: data}
}

// setDocs is the edit that makes the docs answer the files given, with text.
func setDocs(base int, text string, ids []int64, ups ...forms.Upload) forms.Edit {
	return forms.Edit{Base: base, Fields: []string{"q/views", "q/docs"}, Uploads: ups,
		Answers: forms.Answers{Values: map[string]forms.Answer{"views": {Text: text}, "docs": {Files: ids}}}}
}

// TestUnusedFiles: a file taken out of every answer is deleted in the save
// that takes it out; one a submitted version names is kept for ever, and
// the database refuses deleting it; a stale form naming a file deleted
// since is saved, the rest of it written.
func TestUnusedFiles(t *testing.T) {
	s, db := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	now := time.Now()
	c := openCall(t, s, now.Add(24*time.Hour))
	act := forms.Actor{Label: "fp@aut"}

	res, err := s.SaveDraft(ctx, c, aut, setDocs(0, "Views.", nil, upload("a.pdf", pdfOf(100)), upload("b.pdf", pdfOf(200))), act)
	if err != nil || len(res.Files) != 2 {
		t.Fatalf("uploads: %+v %v", res, err)
	}
	a, b := res.Files[0].ID, res.Files[1].ID
	// Taking a out deletes it in the same save.
	if _, err := s.SaveDraft(ctx, c, aut, setDocs(1, "Views.", []int64{b}), act); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Attachment(ctx, aut.ID, a)
	wantKind(t, "a file taken out of the answer", err, forms.KindNotFound)

	// b goes into a submitted version; taken out of the answer after the
	// return, it stays, readable, and cannot be deleted by hand.
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: filesQuestionnaire, Organization: aut, User: focalPoint(aut), Transition: forms.TransitionSubmit, At: now, Actor: act}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, forms.TransitionRequest{Call: c, Questionnaire: filesQuestionnaire, Organization: aut, User: analyst, Transition: forms.TransitionReturn, At: now, Message: "Please check.", Actor: forms.Actor{Label: "analyst"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveDraft(ctx, c, aut, setDocs(2, "Views, revised.", nil), act); err != nil {
		t.Fatal(err)
	}
	if _, data, err := s.Attachment(ctx, aut.ID, b); err != nil || len(data) != 200 {
		t.Errorf("a submitted file after leaving the answer: %d bytes, %v", len(data), err)
	}
	v1, err := s.SubmissionVersion(ctx, c, aut, 1)
	if err != nil || len(v1.Files) != 1 {
		t.Errorf("version 1's files: %+v %v", v1.Files, err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM attachments WHERE id = $1`, b); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
		t.Errorf("deleting a submitted file by hand: %v", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE attachments SET file_name = 'x' WHERE id = $1`, b); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
		t.Errorf("renaming a submitted file by hand: %v", err)
	}

	// Two forms loaded at the same version, both showing file d: one
	// takes d out (so it is deleted); the other, stale, changes only the
	// text and still names d. Its text is written; d stays out.
	res, err = s.SaveDraft(ctx, c, aut, setDocs(3, "Views, revised.", nil, upload("d.pdf", pdfOf(50))), act)
	if err != nil {
		t.Fatal(err)
	}
	d, at := res.Files[0].ID, res.Version
	if _, err := s.SaveDraft(ctx, c, aut, setDocs(at, "Views, revised.", nil), act); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Attachment(ctx, aut.ID, d); forms.KindOf(err) != forms.KindNotFound {
		t.Fatalf("d after being taken out: %v", err)
	}
	if res, err = s.SaveDraft(ctx, c, aut, setDocs(at, "Views, from the stale form.", []int64{d}), act); err != nil || len(res.Conflicts) != 0 {
		t.Fatalf("the stale form: %+v %v", res, err)
	}
	dr, _ := s.Draft(ctx, c, aut)
	if dr.Answers.Values["views"].Text != "Views, from the stale form." || len(dr.Answers.Values["docs"].Files) != 0 {
		t.Errorf("after the stale form: %+v", dr.Answers.Values)
	}
	// A file of nobody in an answer the save writes is still refused.
	_, err = s.SaveDraft(ctx, c, aut, setDocs(dr.Version, "Views.", []int64{d}), act)
	wantKind(t, "naming a deleted file in a changed answer", err, forms.KindInvalid)
}

// TestFileQuota: uploads that would take a draft's files beyond the edit's
// quota are refused and nothing of the save is written; a save that takes
// a file out and adds one counts what remains.
func TestFileQuota(t *testing.T) {
	s, _ := storeWithDB(t)
	ctx := context.Background()
	aut := orgRef(t, s, "AUT")
	c := openCall(t, s, time.Now().Add(24*time.Hour))
	act := forms.Actor{Label: "fp@aut"}
	const quota = 1000
	edit := func(base int, text string, ids []int64, ups ...forms.Upload) forms.Edit {
		e := setDocs(base, text, ids, ups...)
		e.FileQuota = quota
		return e
	}
	res, err := s.SaveDraft(ctx, c, aut, edit(0, "One.", nil, upload("a.pdf", pdfOf(600))), act)
	if err != nil {
		t.Fatal(err)
	}
	a := res.Files[0].ID
	_, err = s.SaveDraft(ctx, c, aut, edit(1, "Two.", []int64{a}, upload("b.pdf", pdfOf(500))), act)
	wantKind(t, "beyond the quota", err, forms.KindInvalid)
	if forms.MessageOf(err) != forms.FileQuotaExceeded || !errors.Is(err, forms.ErrFileQuota) {
		t.Errorf("%v: message %q, want %q, and forms.ErrFileQuota", err, forms.MessageOf(err), forms.FileQuotaExceeded)
	}
	dr, _ := s.Draft(ctx, c, aut)
	if dr.Version != 1 || len(dr.Files) != 1 || dr.Answers.Values["views"].Text != "One." {
		t.Errorf("after the refused save: version %d, files %v, %+v", dr.Version, dr.Files, dr.Answers.Values)
	}
	// Exactly at the quota; then a replaced by c: what remains counts.
	res, err = s.SaveDraft(ctx, c, aut, edit(1, "Two.", []int64{a}, upload("b.pdf", pdfOf(400))), act)
	if err != nil {
		t.Fatalf("up to the quota: %v", err)
	}
	b := res.Files[0].ID
	if _, err = s.SaveDraft(ctx, c, aut, edit(res.Version, "Three.", []int64{b}, upload("c.pdf", pdfOf(500))), act); err != nil {
		t.Fatalf("replacing a file within the quota: %v", err)
	}
	// A save without uploads is never refused for the quota.
	dr, _ = s.Draft(ctx, c, aut)
	e := edit(dr.Version, "Four.", dr.Answers.Values["docs"].Files)
	e.FileQuota = 1
	if _, err := s.SaveDraft(ctx, c, aut, e, act); err != nil {
		t.Errorf("a save without uploads over a lowered quota: %v", err)
	}
}
