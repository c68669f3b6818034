package handlers

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// TestConstraintLoggedAsError: a value the database refused by a
// constraint no store method mapped is the portal's bug: the user gets
// the invalid-request page, and the log an error; an ordinary refusal of
// the user's request is logged at debug level only.
func TestConstraintLoggedAsError(t *testing.T) {
	_, s := startServer(t, nil)
	for _, tc := range []struct {
		err   error
		error bool
	}{
		{forms.Wrap(forms.KindInvalid, fmt.Errorf("%w: check_violation", forms.ErrConstraint), ""), true},
		{forms.Errorf(forms.KindInvalid, "the form arrived incomplete"), false},
	} {
		var logs bytes.Buffer
		s.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodPost, "/orgs/AUT/calls/x/police", nil)
		s.renderError(c, tc.err)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", tc.err, rec.Code)
		}
		if got := strings.Contains(logs.String(), "level=ERROR"); got != tc.error {
			t.Errorf("%v: logged at error level %v, want %v:\n%s", tc.err, got, tc.error, logs.String())
		}
	}
}
