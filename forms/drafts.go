package forms

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Call is a call for submissions: the Office asks organizations to answer
// one version of a questionnaire, for some reporting years.
type Call struct {
	ID    int64
	Key   string // [a-z0-9-]+, in addresses: /orgs/AUT/calls/<key>
	Title Text
	// Questionnaire and Version say which questionnaire the call uses; a
	// draft and a submission are always read with that version.
	Questionnaire string
	Version       int
	// Years are the reporting years of a statistics call, ascending; empty
	// for a questionnaire without tables.
	Years []int

	// Reference begins the receipt numbers of the call's submissions
	// (CCPCJ22-P4 gives CCPCJ22-P4-AUT-1): upper-case letters, digits, "-".
	Reference string
	// Mandate is what the call answers ("ECOSOC resolution 2012/19,
	// paragraph 4"); Body whom the Office reports to ("CCPCJ, twenty-second session").
	Mandate, Body Text
	State         CallState
	Opens         time.Time // zero: open from when it is opened
	Deadline      time.Time
	TimeZone      string // IANA name the deadline is shown in, such as Europe/Vienna
	LateAllowed   bool   // submissions after the deadline are taken, marked late
	Audience      Audience
	// Reminders are the days the call reminds the organizations it asks
	// that have not answered: days before the deadline, or after it when
	// negative (7, 1, -7). See DueReminder.
	Reminders []int
}

// Draft is what an organization is preparing for a call: the answers saved
// so far, shared by everyone who may edit for the organization. Version
// counts the saves that changed something; a save names the version it
// started from, so that one based on an older version cannot overwrite
// what others saved since (see Merge).
type Draft struct {
	ID           int64
	Call         Call
	Organization OrganizationRef
	Version      int
	Answers      Answers
	// Files are the attachments uploaded to the draft, by id: those the
	// answers name, and any uploaded but since removed from them.
	Files     map[int64]FileInfo
	UpdatedAt time.Time // zero when nothing was saved yet
	UpdatedBy string    // who saved last
}

// FileInfo describes an attachment without its content.
type FileInfo struct {
	ID          int64
	Question    string
	Name        string // as uploaded, cleaned for display and download
	ContentType string // as sniffed from the content, never as the browser claimed
	Size        int64
	SHA256      string // hex
	UploadedAt  time.Time
	UploadedBy  string
}

// Upload is a file to attach to a draft's file question.
type Upload struct {
	Question    string
	Name        string
	ContentType string // sniffed from Data
	Data        []byte
}

// A draft's content is a set of fields, each named by a key:
//
//	q/<question>                           the answer to a question other than a table
//	c/<question>/<row>/<year>/<category>   a cell of a statistical table
//	x/<finding>                            the explanation of a warning
//
// Saving, merging and the record of changes all work field by field.

// AnswerField returns the field key of the answer to question q.
func AnswerField(q string) string { return "q/" + q }

// CellField returns the field key of a cell.
func CellField(r CellRef) string {
	return "c/" + r.Question + "/" + r.Row + "/" + strconv.Itoa(r.Year) + "/" + r.Category
}

// ExplanationField returns the field key of the explanation of a finding.
func ExplanationField(finding string) string { return "x/" + finding }

// MaxExplanation is the most characters an explanation of a warning may
// have, however it comes in (a page, a workbook).
const MaxExplanation = 2000

// MaxFindingKey is the longest key of a finding an explanation may be
// given for; the keys Check makes are far shorter.
const MaxFindingKey = 300

// FieldKind says what a field key names, from its prefix: 'q', 'c', 'x',
// or 0 for a key of none of those forms.
func FieldKind(field string) byte {
	if len(field) > 2 && field[1] == '/' && strings.IndexByte("qcx", field[0]) >= 0 {
		return field[0]
	}
	return 0
}

// ParseCellField returns the cell a "c/" field key names, and false when
// the key is not one.
func ParseCellField(field string) (CellRef, bool) {
	rest, ok := strings.CutPrefix(field, "c/")
	if !ok {
		return CellRef{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return CellRef{}, false
	}
	y, err := strconv.Atoi(parts[2])
	if err != nil || parts[0] == "" || parts[1] == "" || parts[3] == "" {
		return CellRef{}, false
	}
	return CellRef{Question: parts[0], Row: parts[1], Year: y, Category: parts[3]}, true
}

// cellJSON is a cell's encoding in a field value.
type cellJSON struct {
	State CellState `json:"s"`
	Value int64     `json:"v,omitempty"`
	Note  string    `json:"n,omitempty"`
	Flags CellFlags `json:"f,omitempty"`
}

// Field returns the content of a field of a, encoded so that two equal
// contents have equal encodings: "" for a field with nothing in it (a
// blank cell, an empty answer, no explanation), JSON otherwise.
func (a Answers) Field(field string) string {
	switch FieldKind(field) {
	case 'q':
		ans, ok := a.Values[field[2:]]
		if !ok || zeroAnswer(ans) {
			return ""
		}
		b, _ := json.Marshal(ans) // an Answer always marshals
		return string(b)
	case 'c':
		ref, ok := ParseCellField(field)
		if !ok {
			return ""
		}
		c := a.Cells[ref]
		if c == (Cell{}) {
			return ""
		}
		if c.Note == "" { // the common case, written as json.Marshal would, without it
			b := make([]byte, 0, 32)
			b = append(b, `{"s":`...)
			b = strconv.AppendUint(b, uint64(c.State), 10)
			if c.Value != 0 {
				b = append(b, `,"v":`...)
				b = strconv.AppendInt(b, c.Value, 10)
			}
			if c.Flags != 0 {
				b = append(b, `,"f":`...)
				b = strconv.AppendUint(b, uint64(c.Flags), 10)
			}
			return string(append(b, '}'))
		}
		b, _ := json.Marshal(cellJSON(c))
		return string(b)
	case 'x':
		s := a.Explanations[field[2:]]
		if strings.TrimSpace(s) == "" {
			return ""
		}
		b, _ := json.Marshal(s)
		return string(b)
	}
	return ""
}

// SetField puts the content enc (as Field encodes it; "" for nothing) in
// a's field. It returns an error when the key or the encoding is not one
// Field makes.
func (a *Answers) SetField(field, enc string) error {
	switch FieldKind(field) {
	case 'q':
		key := field[2:]
		if enc == "" {
			delete(a.Values, key)
			return nil
		}
		var ans Answer
		if err := json.Unmarshal([]byte(enc), &ans); err != nil {
			return fmt.Errorf("field %s: %w", field, err)
		}
		if a.Values == nil {
			a.Values = map[string]Answer{}
		}
		a.Values[key] = ans
	case 'c':
		ref, ok := ParseCellField(field)
		if !ok {
			return fmt.Errorf("field %q is not a cell", field)
		}
		if enc == "" {
			delete(a.Cells, ref)
			return nil
		}
		var c cellJSON
		if err := json.Unmarshal([]byte(enc), &c); err != nil {
			return fmt.Errorf("field %s: %w", field, err)
		}
		if a.Cells == nil {
			a.Cells = map[CellRef]Cell{}
		}
		a.Cells[ref] = Cell(c)
	case 'x':
		key := field[2:]
		if enc == "" {
			delete(a.Explanations, key)
			return nil
		}
		var s string
		if err := json.Unmarshal([]byte(enc), &s); err != nil {
			return fmt.Errorf("field %s: %w", field, err)
		}
		if a.Explanations == nil {
			a.Explanations = map[string]string{}
		}
		a.Explanations[key] = s
	default:
		return fmt.Errorf("no such field %q", field)
	}
	return nil
}

// Fields returns the key of every field of a that holds something, sorted.
func (a Answers) Fields() []string {
	out := make([]string, 0, len(a.Values)+len(a.Cells)+len(a.Explanations))
	for k, v := range a.Values {
		if !zeroAnswer(v) {
			out = append(out, AnswerField(k))
		}
	}
	for r, c := range a.Cells {
		if c != (Cell{}) {
			out = append(out, CellField(r))
		}
	}
	for k, v := range a.Explanations {
		if strings.TrimSpace(v) != "" {
			out = append(out, ExplanationField(k))
		}
	}
	slices.Sort(out)
	return out
}

// Edit is one save of a draft: the fields a form covered, with what the
// user left in them. A covered field that is blank in Answers is cleared.
type Edit struct {
	// Base is the draft version the form was loaded at.
	Base int
	// FieldBases, when set, gives for some fields the version their content
	// in the form started from, in place of Base: a page that saved some
	// fields since it was loaded (autosave) knows those fields at the
	// version its save made, and the others only at Base.
	FieldBases map[string]int
	// Fields lists every field the form covered.
	Fields  []string
	Answers Answers
	// Uploads are files to attach; their ids join the answer of their
	// question once stored.
	Uploads []Upload
	// FileQuota, when above 0 and the edit uploads files, is the most the
	// files the draft holds may weigh together after the save; a save
	// beyond it writes nothing and fails with ErrFileQuota.
	FileQuota int64
}

// FileQuotaExceeded is the message of ErrFileQuota.
const FileQuotaExceeded = "file quota exceeded"

// Change is one field written by a save: its content before and after, as
// Answers.Field encodes them.
type Change struct {
	Field    string
	Old, New string
}

// Conflict is a field that both this save and another, saved since the
// version this one started from, changed to different contents.
type Conflict struct {
	Field string
	// Base is the content when the user loaded the form; Theirs what
	// another person saved since; Mine what this save wanted.
	Base, Theirs, Mine string
}

// FieldSave is the last save that changed a field: who made it, and when.
type FieldSave struct {
	By string
	At time.Time
}

// Merge decides what a save does, field by field, as a three-way merge of
// the content at the version the form was loaded at (base), the draft as
// it is now (current), and the form (e). base holds, for each field changed
// since e.Base, its content at e.Base; a field not in base is as it was.
//
// A field the user changed and nobody else did is written; a field someone
// else changed and the user did not is kept as they left it; a field both
// changed to the same content is left alone; a field both changed to
// different contents is a conflict, written neither way, for the user to
// decide. Changes and conflicts come in field order.
func Merge(e Edit, current Answers, base map[string]string) (changes []Change, conflicts []Conflict) {
	fields := slices.Clone(e.Fields)
	slices.Sort(fields)
	fields = slices.Compact(fields)
	for _, f := range fields {
		mine, cur := e.Answers.Field(f), current.Field(f)
		if mine == cur {
			continue
		}
		b, changed := base[f]
		switch {
		case !changed:
			changes = append(changes, Change{Field: f, Old: cur, New: mine})
		case mine == b: // they changed it; the user did not
		default:
			conflicts = append(conflicts, Conflict{Field: f, Base: b, Theirs: cur, Mine: mine})
		}
	}
	return changes, conflicts
}

// SaveResult is what a save did.
type SaveResult struct {
	// Version is the draft's version after the save: unchanged when
	// nothing was written.
	Version int
	// Changes are the fields written.
	Changes []Change
	// Conflicts are the fields left as another person saved them, for the
	// user to decide (see Merge); the other changes were written.
	Conflicts []Conflict
	// Files are the attachments stored from the edit's uploads.
	Files []FileInfo
}
