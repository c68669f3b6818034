package published

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// cell is one cell as read: at most keep bytes of its text, the number of
// characters in the whole of it, and whether it is a spreadsheet's raw
// number.
type cell struct {
	b       []byte
	runes   int
	numeric bool
}

// maxFields is the most cells of a record or row that are kept; columns
// beyond it are counted, never read.
const maxFields = 512

// maxHeaderLine is how much of a line before the header is looked at.
const maxHeaderLine = 64 << 10

// csvReader reads records of delimited text one at a time, keeping at most
// keep bytes of each field, so that a record of any length (a quote never
// closed) costs only what is kept. Quotes are read leniently: a quote
// inside an unquoted field is text, text after a closing quote is kept.
type csvReader struct {
	br     *bufio.Reader
	delim  byte
	line   int // the physical lines consumed
	keep   int
	cells  []cell
	fields int // in the last record, kept or not
}

func newCSVReader(br *bufio.Reader, delim byte, line, keep int) *csvReader {
	return &csvReader{br: br, delim: delim, line: line, keep: keep, cells: make([]cell, 0, 16)}
}

// next reads a record and returns the line it starts on; io.EOF at the end.
func (c *csvReader) next() (int, error) {
	if _, err := c.br.Peek(1); err != nil {
		if err == io.EOF {
			return 0, io.EOF
		}
		return 0, err
	}
	start := c.line + 1
	c.cells, c.fields = c.cells[:0], 0
fields:
	for {
		f := c.field()
		started := false
		for {
			b, err := c.br.ReadByte()
			if err != nil {
				if err != io.EOF {
					return start, err
				}
				c.line++
				return start, nil
			}
			switch {
			case b == '"' && !started:
				started = true
				if err := c.quoted(f); err != nil {
					return start, err
				}
			case b == c.delim:
				continue fields
			case b == '\n':
				c.line++
				if f != nil && len(f.b) > 0 && f.b[len(f.b)-1] == '\r' {
					f.b = f.b[:len(f.b)-1]
					f.runes--
				}
				return start, nil
			default:
				started = true
				c.add(f, b)
			}
		}
	}
}

// quoted reads a quoted field's text up to its closing quote.
func (c *csvReader) quoted(f *cell) error {
	for {
		b, err := c.br.ReadByte()
		if err == io.EOF {
			return nil // never closed: the field ends with the file
		}
		if err != nil {
			return err
		}
		if b == '"' {
			nb, err := c.br.ReadByte()
			if err == nil && nb == '"' {
				c.add(f, '"')
				continue
			}
			if err == nil {
				err = c.br.UnreadByte()
			}
			if err != nil && err != io.EOF {
				return err
			}
			return nil
		}
		if b == '\n' {
			c.line++
		}
		c.add(f, b)
	}
}

// field starts the next field; nil when there are too many to keep.
func (c *csvReader) field() *cell {
	c.fields++
	if len(c.cells) >= maxFields {
		return nil
	}
	if len(c.cells) < cap(c.cells) {
		c.cells = c.cells[:len(c.cells)+1]
		f := &c.cells[len(c.cells)-1]
		f.b, f.runes = f.b[:0], 0
		return f
	}
	c.cells = append(c.cells, cell{})
	return &c.cells[len(c.cells)-1]
}

func (c *csvReader) add(f *cell, b byte) {
	if f == nil {
		return
	}
	if b&0xC0 != 0x80 {
		f.runes++
	}
	if len(f.b) < c.keep {
		f.b = append(f.b, b)
	}
}

// headerLine reads the next physical line (at most maxHeaderLine bytes of
// it kept); io.EOF when there is none.
func headerLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf) < maxHeaderLine {
			buf = append(buf, chunk[:min(len(chunk), maxHeaderLine-len(buf))]...)
		}
		switch {
		case err == nil:
			return bytes.TrimRight(buf, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(buf) > 0:
			return bytes.TrimRight(buf, "\r\n"), nil
		default:
			return nil, err
		}
	}
}

// splitLine splits one line by delim, with quotes.
func splitLine(line []byte, delim byte) []string {
	var out []string
	var f []byte
	quoted, inQuotes := false, false
	for i := 0; i < len(line); i++ {
		b := line[i]
		switch {
		case inQuotes && b == '"' && i+1 < len(line) && line[i+1] == '"':
			f = append(f, '"')
			i++
		case inQuotes && b == '"':
			inQuotes = false
		case b == '"' && len(f) == 0 && !quoted:
			quoted, inQuotes = true, true
		case !inQuotes && b == delim:
			out = append(out, string(f))
			f, quoted = f[:0], false
		default:
			f = append(f, b)
		}
	}
	return append(out, string(f))
}
