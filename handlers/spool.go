package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/templates/form"
)

// spooled is a multipart form read by spool: its short text fields, and
// its file, streamed to a temporary file with its size and SHA-256.
type spooled struct {
	Fields   map[string]string // text fields, cleaned, at most 4 KiB each
	File     *os.File          // positioned at the start; nil when no file was sent
	Name     string            // the file's base name (cleanFileName)
	Size     int64             // bytes read, at most max+1: above max, the file was cut
	Checksum string            // hex SHA-256 of the bytes read
}

// Close removes the temporary file.
func (s *spooled) Close() {
	if s.File != nil {
		s.File.Close()
		os.Remove(s.File.Name())
	}
}

// spool reads the request's multipart form as it streams: the first file
// sent in the field named file goes to a temporary file (at most max+1
// bytes, so that a larger one is known as such without holding it), the
// text fields to Fields. Memory does not grow with the file. A request
// that is not multipart gives an empty form; a body cut short or too large
// is the error (the error page says which). Close it when done.
func spool(c *gin.Context, file string, max int64) (*spooled, error) {
	sp := &spooled{Fields: map[string]string{}}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return sp, nil
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			sp.Close()
			return nil, err
		}
		switch {
		case part.FileName() == "":
			b, err := io.ReadAll(io.LimitReader(part, 4<<10))
			if err != nil {
				sp.Close()
				return nil, err
			}
			sp.Fields[part.FormName()] = strings.TrimSpace(form.CleanText(string(b)))
		case part.FormName() == file && sp.File == nil:
			if err := sp.take(part, max); err != nil {
				sp.Close()
				return nil, err
			}
		}
	}
	if sp.File != nil {
		if _, err := sp.File.Seek(0, io.SeekStart); err != nil {
			sp.Close()
			return nil, err
		}
	}
	return sp, nil
}

// take streams a file part to the temporary file.
func (sp *spooled) take(part *multipart.Part, max int64) error {
	f, err := os.CreateTemp("", "upload-*")
	if err != nil {
		return err
	}
	sp.File, sp.Name = f, cleanFileName(part.FileName())
	h := sha256.New()
	if sp.Size, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(part, max+1)); err != nil {
		return err
	}
	sp.Checksum = hex.EncodeToString(h.Sum(nil))
	return nil
}
