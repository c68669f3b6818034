package handlers

import (
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// TestUploadFormMemory: reading a form of three 9.9 MB files (as a save
// does, with maxFormMemory) puts them in a temporary file, allocating a
// fraction of their size (with 8 MB, as before, it allocated 96 MB).
func TestUploadFormMemory(t *testing.T) {
	file := "%PDF-1.4\n" + strings.Repeat("x", 99<<20/10-9)
	body, ct := multipartBody(t, url.Values{"end": {"1"}},
		formFile{"u/documents", "1.pdf", file}, formFile{"u/documents", "2.pdf", file}, formFile{"u/documents", "3.pdf", file})
	req := httptest.NewRequest("POST", "/", body)
	req.Header.Set("Content-Type", ct)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := req.ParseMultipartForm(maxFormMemory); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	defer req.MultipartForm.RemoveAll()
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.1f MB reading 29.7 MB of files", float64(allocated)/(1<<20))
	if allocated > 20<<20 {
		t.Errorf("reading the form allocated %d bytes, want under 20 MB", allocated)
	}
	if fhs := req.MultipartForm.File["u/documents"]; len(fhs) != 3 || fhs[2].Size != int64(len(file)) {
		t.Errorf("files read: %v", fhs)
	}
}
