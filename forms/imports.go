package forms

import (
	"strings"
	"time"
	"unicode"
)

// Importing past series from the long format the Office publishes
// (docs/statistics.md): the file is read into an upload, mapped to series
// codes by the descriptions its rows carry, shown as a dry run, then
// confirmed as an import whose figures are kept with their source and
// the import's reference, and can be withdrawn as one.

// ImportRow is one row of an uploaded file, as read.
type ImportRow struct {
	Line                                     int
	Area, AreaName                           string
	Indicator, Dimension, Category, Sex, Age string
	Unit                                     string
	Year                                     int    // 0 when it could not be read
	Value                                    string // canonical decimal, "" when it could not be read
	Estimate                                 bool
	Source                                   string
	Problem                                  string // the reader's reason for refusing the row, "" when read
}

// Description is how a row of the long format says what it measures.
type Description struct {
	Indicator, Dimension, Category, Sex, Age string
}

// SeriesMapping maps a description to a series code; Series "" means
// rows so described are not taken.
type SeriesMapping struct {
	Description
	Series    string
	UpdatedAt time.Time
	UpdatedBy string
}

// Fates of a row in an import.
const (
	FateNew       = "new"       // a figure the portal did not hold
	FateChanges   = "changes"   // changes the figure the latest import gave
	FateBehind    = "behind"    // a submission gives that year: kept as history
	FateUnchanged = "unchanged" // the portal holds that figure already
	FateRepeat    = "repeat"    // the same figure as an earlier line of the file
	FateRate      = "rate"      // a rate: kept out, used to cross-check
	FateIgnored   = "ignored"   // mapped to no series
	FateRefused   = "refused"   // with a reason
)

// Reasons a row is refused, beyond those of the reader.
const (
	RefusedUnmapped    = "unmapped"    // its description is mapped to no series yet
	RefusedArea        = "area"        // not a State, part of one or territory the portal knows
	RefusedContradicts = "contradicts" // another value for the same series, area and year earlier in the file
)

// PlanRow is a row of a dry run, as shown.
type PlanRow struct {
	ImportRow
	Series, Fate, Reason string
	Before               string // the figure held, for changes and rows behind a submission
	FirstLine            int    // the earlier line a repeat or a contradiction repeats
}

// ImportPlan is what confirming an upload would do.
type ImportPlan struct {
	Token, FileName, Checksum string
	// Imported is the reference of the import the upload was confirmed
	// as; the plan is empty then.
	Imported   string
	UploadedAt time.Time
	UploadedBy string
	Read       int
	// Counts by fate, and refusals by reason.
	Fates   map[string]int
	Refused map[string]int
	// Examples of each fate (the first lines), and the descriptions not
	// mapped yet with how many rows each has.
	Examples   map[string][]PlanRow
	Unmapped   []UnmappedDescription
	RateChecks RateCheck
}

// Changes is how many figures confirming would store.
func (p ImportPlan) Changes() int {
	return p.Fates[FateNew] + p.Fates[FateChanges] + p.Fates[FateBehind]
}

// UnmappedDescription is a description the file's counts carry that no
// mapping covers yet, with the series suggested for it.
type UnmappedDescription struct {
	Description
	Rows      int
	Suggested string
}

// RateCheck is the cross-check of the file's rates against its counts and
// the population the portal holds: how many could be checked and how many
// differ by more than 1 %, with the first of those.
type RateCheck struct {
	Checked, Differ int
	Examples        []RateDifference
}

// RateDifference is a rate of the file that its count does not give.
type RateDifference struct {
	Line            int
	Area            string
	Year            int
	Given, Computed float64
	Population      int64
}

// SeriesImport is a confirmed import.
type SeriesImport struct {
	Reference, FileName, Checksum string
	Read, Taken, Refused          int
	Figures                       int // the figures it brought
	ImportedAt                    time.Time
	ImportedBy                    string
	WithdrawnAt                   time.Time
	WithdrawnBy                   string
	// Already: the upload had been confirmed already (a second click).
	Already bool
}

// Withdrawn says whether the import has been withdrawn.
func (i SeriesImport) Withdrawn() bool { return !i.WithdrawnAt.IsZero() }

// SuggestSeries proposes the series a description measures, among the
// cells of the questionnaires: the one whose indicator and row match the
// description's indicator and category by name (English labels, codes
// read as words, or the ICCS code), and whose column matches its sex, age
// or other dimension; "" when none or more than one series match.
func SuggestSeries(d Description, cells []SeriesCell) string {
	ind, cat := words(d.Indicator), words(d.Category)
	sex, age := words(d.Sex), words(d.Age)
	column := ""
	switch {
	case sex != "" && sex != "total":
		column = "sex:" + singular(sex)
	case age != "" && age != "total":
		column = "age:" + singular(age)
	case cat != "" && strings.Contains(words(d.Dimension), "citizenship"):
		switch {
		case strings.Contains(cat, "foreign"):
			column = "citizenship:foreign"
		case strings.Contains(cat, "national") || strings.Contains(cat, "citizens"):
			column = "citizenship:national"
		}
		cat = "total"
	case strings.Contains(words(d.Dimension), "sentence") || cat == "sentenced" || cat == "unsentenced":
		column = "sentence:" + cat
		cat = "total"
	}
	found := ""
	for _, c := range cells {
		if c.Repeat {
			continue
		}
		indicator := SeriesIndicator(c.Code)
		if ind != words(strings.ReplaceAll(indicator, "_", " ")) && ind != words(c.TableLabel[English]) {
			continue
		}
		rowOK := cat == words(c.RowLabel[English]) || (c.ICCS != "" && strings.Contains(cat, c.ICCS)) ||
			((cat == "total" || cat == "") && isTotalRow(c))
		if !rowOK {
			continue
		}
		col := ""
		if c.Category != TotalCategory {
			_, col, _ = strings.Cut(strings.TrimPrefix(c.Code, indicator+"/"), "/")
		}
		if col != column {
			continue
		}
		if found != "" && found != c.Code {
			return ""
		}
		found = c.Code
	}
	return found
}

// isTotalRow says whether a row counts everything of its table.
func isTotalRow(c SeriesCell) bool {
	l := words(c.RowLabel[English])
	return strings.HasPrefix(l, "total") || strings.HasPrefix(l, "all ") || l == "resident population" ||
		strings.HasSuffix(c.Code, "/total") || strings.Contains(c.Code, "/total/")
}

// words lower-cases s and keeps its letters and digits, one space between
// words.
func words(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(f, " ")
}

// singular maps the long format's words for categories to the portal's
// keys: "males" → "male", "adults" → "adult", "juveniles" → "juvenile".
func singular(s string) string {
	s = strings.ReplaceAll(s, " ", "_")
	if strings.HasSuffix(s, "s") && s != "unknown" {
		s = strings.TrimSuffix(s, "s")
	}
	return s
}
