package handlers

import (
	"mime"

	"github.com/gin-gonic/gin"
)

// Content types of the portal's downloads.
const (
	csvType  = "text/csv; charset=utf-8"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// download makes the response a file named name, of contentType, to save:
// an attachment, never shown inline, and kept by no cache, shared or the
// browser's, since every download holds a Member State's answers or the
// Office's work. Every download sets its headers here, so that none can
// forget one (TestAuthorizationMatrix checks every route's downloads).
//
// The name is written as RFC 6266 has it: as it is when it is a token
// (filename=report.xlsx), quoted when it has spaces or separators, and
// percent-encoded UTF-8 in filename* (RFC 5987) when it is not ASCII,
// which every current browser reads.
func download(c *gin.Context, name, contentType string) {
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "private, no-store")
}
