package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/forms"
	"portal/templates/views"
)

type reviewPage struct {
	basePage
	OrgName, OrgCode, CallKey, CallTitle, Mandate, Body, Deadline, TimeLeft string
	State, StateLabel                                                       string
	Versions                                                                []versionView
	Shown                                                                   int
	Receipt                                                                 versionView
	Sections                                                                []reviewSection
	Changes                                                                 []changeView
	ChangesFrom                                                             int
	Comments                                                                []views.Comment
	Comment, Message                                                        textForm // refused text kept for the comment and return forms
	CommentFields                                                           []option
	CommentAction                                                           string
	CanComment                                                              bool
	CanDecide                                                               bool
	Refused                                                                 string
	// Latest is the receipt of the latest version, the one a decision is about.
	Latest string
	// EnterHref is the Office's entry of the answers on the organization's
	// behalf, while its answers may change and the call takes them.
	EnterHref string
}

type reviewSection struct {
	Title   string
	Answers []reviewAnswer
}

type reviewAnswer struct {
	Label, Value string
	Table        *views.Table
	// Findings are the rules' findings on the question as a whole, with
	// the organization's explanations of the warnings.
	Findings []views.Finding
}

type changeView struct {
	Where, Old, New string
}

// showReview is the Office's view of one organization's submission: a
// version's answers, what changed since the version before, the comments,
// and the decision.
func (s *Server) showReview(c *gin.Context) error {
	dc := scopeOf(c)
	ctx := c.Request.Context()
	sub, err := s.store.Submission(ctx, dc.call, dc.ref)
	if err != nil {
		return err
	}
	if len(sub.Versions) == 0 {
		return forms.Errorf(forms.KindNotFound, "%s has submitted nothing to %s", dc.org.Code, dc.call.Key)
	}
	n := len(sub.Versions)
	if v, err := strconv.Atoi(c.Query("v")); err == nil && v >= 1 && v <= n {
		n = v
	}
	v, err := s.store.SubmissionVersion(ctx, dc.call, dc.ref, n)
	if err != nil {
		return err
	}
	// A version is read with the questionnaire and years it was made with.
	q, call := dc.q, dc.call
	if v.Questionnaire != q.Key || v.QuestionnaireVersion != q.Version {
		var ok bool
		if q, ok = s.opts.Questionnaires.Version(v.Questionnaire, v.QuestionnaireVersion); !ok {
			return fmt.Errorf("version %d of %s/%s: questionnaire %s v%d is not loaded", n, dc.call.Key, dc.org.Code, v.Questionnaire, v.QuestionnaireVersion)
		}
	}
	call.Years = v.Years
	p := &reviewPage{basePage: s.callBase(c, dc.call), OrgCode: dc.org.Code, CallKey: dc.call.Key, Shown: n, CanComment: true,
		CommentAction: reviewURL(dc) + "/comments"}
	s.fillCallHeader(&p.basePage, dc, &p.OrgName, &p.CallTitle, &p.Mandate, &p.Body, &p.Deadline, &p.TimeLeft)
	p.Title = p.OrgName + " · " + p.CallTitle
	p.State, p.StateLabel = string(sub.State), p.T("submission.state."+string(sub.State))
	p.CanDecide = sub.State == forms.Submitted
	if sub.State.Editable() && call.TakesEntries(sub.State) && s.currentUser(c).Can(forms.EnterOnBehalf, dc.org.ID) {
		p.EnterHref = entryURL(dc)
	}
	for _, x := range sub.Versions {
		vv := s.versionView(&p.basePage, dc, x)
		vv.Href = "/office/calls/" + dc.call.Key + "/orgs/" + dc.org.Code + "?v=" + strconv.Itoa(x.Number)
		p.Versions = append(p.Versions, vv)
	}
	p.Receipt = p.Versions[n-1]
	p.Latest = p.Versions[len(p.Versions)-1].Reference
	// The review's tables show the figures alone: no cell words, no findings.
	b := &views.Builder{Text: p.Text, Q: q, Years: call.Years, Cells: views.NewCellTexts(p.Text)}
	// The version's findings, as the organization saw them when it
	// submitted: its warnings with its explanations, beside the figures.
	fv := b.Placed(forms.Check(q, v.Answers, call.Years), v.Answers)
	if p.Comments, err = s.commentViews(c, &p.basePage, dc, "/office/calls/"+dc.call.Key+"/orgs/"+dc.org.Code); err != nil {
		return err
	}
	shown := "" // the version shown, when it is not the latest
	if n < len(sub.Versions) {
		shown = "v=" + strconv.Itoa(n) + "&"
	}
	commented := map[string]int{}
	for _, cm := range p.Comments {
		commented[cm.Field]++
	}
	hidden := q.Hidden(v.Answers) // not asked, given the State's answers
	for i := range q.Sections {
		sec := &q.Sections[i]
		rs := reviewSection{Title: sec.Title.In(p.Lang)}
		for j := range sec.Questions {
			qq := &sec.Questions[j]
			if hidden[qq.Key] {
				continue
			}
			ra := reviewAnswer{Label: qq.Label.In(p.Lang)}
			if qq.Kind == forms.StatTable {
				ra.Table = b.Table(v.Answers, qq, fv, nil)
				// Rows the State's answers hide were not asked: not shown.
				ra.Table.Rows = slices.DeleteFunc(ra.Table.Rows, func(r *views.Row) bool { return r.Hidden })
				if len(ra.Table.Rows) == 0 {
					continue
				}
				for _, row := range ra.Table.Rows {
					for _, cell := range row.Cells {
						cell.Comments = commented[cell.Name]
						// A figure is commented on from itself: the link
						// opens the comment form about it.
						cell.CommentHref = "?" + shown + "comment=" + strings.ReplaceAll(url.QueryEscape(cell.Name), "%2F", "/") + "#comment-field"
					}
				}
			} else {
				ra.Value = b.DescribeField(forms.AnswerField(qq.Key), v.Answers.Field(forms.AnswerField(qq.Key)))
			}
			ra.Findings = fv.OnQuestion(qq.Key)
			if ra.Table != nil {
				ra.Findings = append(append(ra.Findings, ra.Table.Errors...), ra.Table.Warnings...)
			}
			rs.Answers = append(rs.Answers, ra)
			p.CommentFields = append(p.CommentFields, option{forms.AnswerField(qq.Key), qq.Label.In(p.Lang)})
		}
		p.Sections = append(p.Sections, rs)
	}
	// Cells that hold something can be commented on one by one.
	for _, f := range v.Answers.Fields() {
		if forms.FieldKind(f) == 'c' {
			p.CommentFields = append(p.CommentFields, option{f, b.FieldPlace(f)})
		}
	}
	if n > 1 {
		prev, err := s.store.SubmissionVersion(ctx, dc.call, dc.ref, n-1)
		if err != nil {
			return err
		}
		p.ChangesFrom = n - 1
		for _, ch := range forms.Diff(prev.Answers, v.Answers) {
			p.Changes = append(p.Changes, changeView{Where: b.FieldPlace(ch.Field),
				Old: b.DescribeField(ch.Field, ch.Old), New: b.DescribeField(ch.Field, ch.New)})
		}
	}
	if c.Query("refused") != "" {
		p.Refused = p.T("submission.refused")
	}
	p.Comment = s.popKept(c, &p.basePage, reviewURL(dc), "comment")
	if asked := c.Query("comment"); p.Comment.Field == "" && slices.ContainsFunc(p.CommentFields, func(o option) bool { return o.Value == asked }) {
		p.Comment.Field = asked // asked for from a figure or an answer
	}
	p.Message = s.popKept(c, &p.basePage, reviewURL(dc), "message")
	s.render(c, http.StatusOK, "review", p)
	return nil
}
