// Package published reads the data that international bodies publish, so
// that the portal can compare what a State answers with what is already
// known: the UNODC data portal's long format of crime statistics (CSV or
// XLSX, ReadLongFormat) and the UN World Population Prospects (CSV,
// ReadWPP). Both stream: a file of any length costs one row at a time
// (and, for XLSX, its table of shared strings, refused over 24 MB of
// text). No database, no HTTP; the standard library only.
//
// # The decimal mark
//
// A CSV's delimiter is the one (',', ';' or tab) that splits the header
// line into the expected column names. The file's decimal mark follows from
// it: ',' for a file delimited by ';' (what a European spreadsheet program
// writes), '.' otherwise; an XLSX's text cells take '.'. Each value is then
// read with the file's mark, except where the value itself says otherwise
// without doubt:
//
//   - with both '.' and ',' the last one is the mark ("1.234,5", "1,234.5");
//   - a mark repeated is grouping ("1.234.567", "1,234,567");
//   - the other mark, once, is grouping only when three digits follow and
//     what comes before is grouped in threes ("1.234" is 1234 in a ';'
//     file, "1,234" is 1234 in a ',' file); otherwise it is the decimal
//     mark ("12,5" in a ',' or tab file is 12.5);
//   - spaces (also no-break and thin), apostrophes and the other mark group
//     thousands only in groups of three ("1 234,5", "1'234.5").
//
// So the one ambiguous reading, "1,234" in a tab-delimited file or an XLSX
// text cell, is one thousand two hundred and thirty-four. An exponent
// ("1.5E3") is read after a plain number only. XLSX numeric cells are raw
// numbers, rounded to the 15 significant digits a spreadsheet holds.
//
// # Reasons
//
// A refused row's Problem.Reason is one of: columns, cell_too_long,
// encoding, area, year, value_missing, value, value_negative,
// value_precision, m49 (WPP). A refused file is a forms.KindInvalid error
// whose message is one of: no_header, not_tabular, not_xlsx, corrupt,
// strings_too_large, file_too_large, too_many_rows.
package published
