package demo

import (
	"context"

	"portal/forms"
)

// Store is what seeding the demo needs of the database; storage.Store has
// it. Its methods' contracts are storage's.
type Store interface {
	Organizations(ctx context.Context, kind forms.OrganizationKind) ([]forms.Organization, error)
	OrganizationByCode(ctx context.Context, code string) (forms.Organization, error)
	EnsureCall(ctx context.Context, c forms.Call) (forms.Call, error)
	Represent(ctx context.Context, call forms.Call, orgCode string, stateCodes []string, actor forms.Actor) error
	Submission(ctx context.Context, call forms.Call, org forms.OrganizationRef) (forms.Submission, error)
	SaveDraft(ctx context.Context, call forms.Call, org forms.OrganizationRef, e forms.Edit, actor forms.Actor) (forms.SaveResult, error)
	Transition(ctx context.Context, r forms.TransitionRequest) (forms.Submission, error)
	ReportDraft(ctx context.Context, call forms.Call) (forms.ReportDraft, error)
	SaveReportDraft(ctx context.Context, call forms.Call, d forms.ReportDraft, actor forms.Actor) error
	ReleaseReport(ctx context.Context, call forms.Call, q *forms.Questionnaire, lib []*forms.Questionnaire, actor forms.Actor) (forms.Report, error)
}

// Questionnaires finds a questionnaire by key and version; definition's
// library has it.
type Questionnaires interface {
	Version(key string, version int) (*forms.Questionnaire, bool)
	All() []*forms.Questionnaire
}
