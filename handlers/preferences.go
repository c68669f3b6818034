package handlers

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// PreferencesPath is the page where a person turns the optional mail off
// (the comment notices, the digest); receipts, returns and reminders
// always go.
const PreferencesPath = "/home/mail"

// mailPreferenceStore keeps what mail a person turned off.
type mailPreferenceStore interface {
	// MailPreferences lists the optional kinds of message the user turned off.
	MailPreferences(ctx context.Context, userID int64) ([]forms.MailKind, error)
	// SetMailPreferences records them; KindInvalid for a kind that is not optional.
	SetMailPreferences(ctx context.Context, userID int64, off []forms.MailKind) error
}

type preferencesPage struct {
	basePage
	Optional []preferenceOption
	Always   []string
}

type preferenceOption struct {
	Kind, Label, Hint string
	On                bool
}

// optionalMail are the kinds a person may turn off, for whom they are.
func optionalMail(u *forms.User) []forms.MailKind {
	kinds := []forms.MailKind{forms.MailComment}
	if u.Office() {
		kinds = append(kinds, forms.MailDigest)
	}
	return kinds
}

// showPreferences shows which mail the user receives, the optional kinds
// as checkboxes.
func (s *Server) showPreferences(c *gin.Context) error {
	u := s.currentUser(c)
	off, err := s.store.MailPreferences(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	p := preferencesPage{basePage: s.newBase(c)}
	p.Title = p.T("preferences.title")
	for _, k := range optionalMail(u) {
		p.Optional = append(p.Optional, preferenceOption{Kind: string(k), Label: p.T("preferences.kind." + string(k)),
			Hint: p.T("preferences.kind." + string(k) + ".hint"), On: !slices.Contains(off, k)})
	}
	for _, k := range []forms.MailKind{forms.MailInvitation, forms.MailReceipt, forms.MailReturned, forms.MailAccepted, forms.MailCallOpened, forms.MailReminder} {
		p.Always = append(p.Always, p.T("preferences.kind."+string(k)))
	}
	s.render(c, http.StatusOK, "preferences", &p)
	return nil
}

// savePreferences records the optional kinds left unticked as turned off.
func (s *Server) savePreferences(c *gin.Context) error {
	u := s.currentUser(c)
	on := c.PostFormArray("on")
	var off []forms.MailKind
	for _, k := range optionalMail(u) {
		if !slices.Contains(on, string(k)) {
			off = append(off, k)
		}
	}
	if err := s.store.SetMailPreferences(c.Request.Context(), u.ID, off); err != nil {
		return err
	}
	s.flash(c, "preferences.saved")
	c.Redirect(http.StatusSeeOther, PreferencesPath)
	return nil
}
