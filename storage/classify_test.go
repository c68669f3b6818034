package storage

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"portal/forms"
)

// TestClassifyConstraint: a value the database refused by a constraint is
// KindInvalid for the user and marked forms.ErrConstraint, a bug to log;
// a unique violation (duplicates, mapped on purpose) and a lost connection
// are not.
func TestClassifyConstraint(t *testing.T) {
	for code, want := range map[pqerror.Code]struct {
		kind forms.Kind
		bug  bool
	}{
		"23514": {forms.KindInvalid, true},   // check_violation
		"23502": {forms.KindInvalid, true},   // not_null_violation
		"22003": {forms.KindInvalid, true},   // numeric_value_out_of_range
		"23505": {forms.KindConflict, false}, // unique_violation
		"08006": {forms.KindUnavailable, false},
	} {
		err := classify(fmt.Errorf("storage: save: %w", &pq.Error{Code: code, Message: "refused"}))
		if forms.KindOf(err) != want.kind || errors.Is(err, forms.ErrConstraint) != want.bug {
			t.Errorf("%s: kind %v, ErrConstraint %v; want %v, %v", code, forms.KindOf(err), errors.Is(err, forms.ErrConstraint), want.kind, want.bug)
		}
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) || pqErr.Code != code {
			t.Errorf("%s: the driver's error is not in the chain for the log", code)
		}
	}
}
