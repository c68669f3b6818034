package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/forms"
)

// jobsPageSize is how many jobs the admins' page lists.
const jobsPageSize = 200

type jobsPage struct {
	basePage
	State  forms.JobState
	States []jobsFilter
	Jobs   []jobRow
}

type jobsFilter struct {
	Href, Label string
	Current     bool
}

type jobRow struct {
	forms.Job
	KindLabel, StateLabel, Attempts string
	Created, Scheduled, Finalized   string
}

// jobStates are the states the admins' page filters by, in its order.
var jobStates = []forms.JobState{forms.JobPending, forms.JobRunning, forms.JobRetrying, forms.JobFailed, forms.JobDone, forms.JobCancelled}

// showJobs lists the job queue for admins: what waits, what runs, what
// failed and why, what was done.
func (s *Server) showJobs(c *gin.Context) error {
	p := jobsPage{basePage: s.newBase(c)}
	p.Title = p.T("jobs.title")
	for _, st := range jobStates {
		if string(st) == c.Query("state") {
			p.State = st
		}
	}
	p.States = append(p.States, jobsFilter{Href: "/office/jobs", Label: p.T("jobs.state.all"), Current: p.State == ""})
	for _, st := range jobStates {
		p.States = append(p.States, jobsFilter{Href: "/office/jobs?state=" + string(st), Label: p.T("jobs.state." + string(st)), Current: p.State == st})
	}
	jobs, err := s.store.Jobs(c.Request.Context(), p.State, jobsPageSize)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		r := jobRow{Job: j, KindLabel: j.Kind, StateLabel: p.T("jobs.state." + string(j.State)),
			Attempts: p.Tf("jobs.attempts", map[string]any{"Attempt": strconv.Itoa(j.Attempt), "Max": strconv.Itoa(j.MaxAttempts)}),
			Created:  p.Timestamp(j.CreatedAt), Scheduled: p.Timestamp(j.ScheduledAt)}
		if l := p.T("jobs.kind." + j.Kind); l != "jobs.kind."+j.Kind {
			r.KindLabel = l
		}
		if !j.FinalizedAt.IsZero() {
			r.Finalized = p.Timestamp(j.FinalizedAt)
		}
		p.Jobs = append(p.Jobs, r)
	}
	s.render(c, 200, "jobs", &p)
	return nil
}

// A page that follows a job an analyst's click asked for (a release, an
// import): in progress, it says so and looks again every two seconds; the
// job failed, it says why and leads back. Done, the handler goes on
// (usually to what the job made) before rendering it.
type followPage struct {
	basePage
	Crumbs                   []followCrumb // the breadcrumbs before this page
	Progress, Wait, LookHref string
	Failed                   bool
	FailedText, Error        string
	BackHref, BackText       string
	Refresh                  int // seconds before the page looks again; 0 for never
}

type followCrumb struct{ Href, Label string }

// renderFollow renders p for the job: failed or cancelled, with its error;
// else waiting or running, looking again in two seconds.
func (s *Server) renderFollow(c *gin.Context, p *followPage, job forms.Job) {
	switch job.State {
	case forms.JobFailed, forms.JobCancelled:
		p.Failed, p.Error = true, job.Error
	default:
		p.Refresh = 2
	}
	s.render(c, http.StatusOK, "following", p)
}
