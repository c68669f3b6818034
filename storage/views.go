package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"portal/forms"
)

// ViewAnswers returns the answers (not tables) of the latest version of
// each accepted submission to the call (and submitted ones when
// includeSubmitted), by organization's English name. With search, only
// the respondents with an answer whose text matches it, with all their
// answers, each marked whether its own text matches (PostgreSQL full-text
// search with the 'simple' configuration, which serves words of any of the
// six languages): a respondent's choices count with its words.
func (s *Store) ViewAnswers(ctx context.Context, call forms.Call, includeSubmitted bool, search string) ([]forms.ViewAnswer, error) {
	return viewAnswers(ctx, s.db, call, includeSubmitted, search)
}

func viewAnswers(ctx context.Context, db sqlx.QueryerContext, call forms.Call, includeSubmitted bool, search string) ([]forms.ViewAnswer, error) {
	rows, err := db.QueryContext(ctx, `
		WITH `+latestCounted+`,
		answers AS (
		    SELECT l.organization_id, l.reference, l.state, a.question, a.answer,
		           $3 = '' OR to_tsvector('simple', COALESCE(a.answer->>'text', '')) @@ plainto_tsquery('simple', $3) AS matched
		    FROM latest l JOIN submission_answers a ON a.version_id = l.id)
		SELECT `+orgColumns+`, a.question, a.answer, a.reference, a.state, a.matched
		FROM answers a
		JOIN organizations o ON o.id = a.organization_id
		WHERE a.organization_id IN (SELECT organization_id FROM answers WHERE matched)
		ORDER BY o.name_en, a.question`, call.ID, countedStates(includeSubmitted), strings.TrimSpace(search))
	if err != nil {
		return nil, classify(fmt.Errorf("storage: answers to %s: %w", call.Key, err))
	}
	defer rows.Close()
	var out []forms.ViewAnswer
	for rows.Next() {
		var r orgRow
		var v forms.ViewAnswer
		var raw []byte
		var state string
		if err := rows.Scan(&r.ID, &r.Code, &r.Kind, &r.M49, &r.En, &r.Fr, &r.Es, &r.Ru, &r.Ar, &r.Zh, &r.Groups, &v.Question, &raw, &v.Reference, &state, &v.Matched); err != nil {
			return nil, classify(fmt.Errorf("storage: answers: %w", err))
		}
		if err := json.Unmarshal(raw, &v.Answer); err != nil {
			return nil, fmt.Errorf("storage: answer %s: %w", v.Question, err)
		}
		v.Organization, v.State = r.organization(), forms.SubmissionState(state)
		out = append(out, v)
	}
	return out, classify(rows.Err())
}
