package handlers

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/handlers/browsertest"
)

// TestBrowserWorkbook: the Austrian focal point's workbook, filled and
// saved by LibreOffice Calc as a person's spreadsheet program would, is
// uploaded in Chromium; the two mistakes are reported with their cells;
// corrected, uploaded again, previewed and confirmed, its figures are in
// the browser form. axe-core checks the pages on the way.
func TestBrowserWorkbook(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("LibreOffice is missing: install it (apt-get install libreoffice-calc-nogui; make test does this when run as root)")
	}
	ts, _ := startServer(t, nil)
	stats := demoCall("crime-statistics")
	call := ts.URL + "/orgs/AUT/calls/" + stats.Key
	c := clientAs(t, ts.URL, "demo-fp-aut")
	r := do(t, c, "GET", call+"/workbook.xlsx", nil)
	dir := t.TempDir()
	fill := func(name string, robbery any) string {
		f, police, rowOf := policeSheet(t, r.body)
		at := func(label string) string { return "C" + rowOf(label) }
		f.SetCellInt(police, at("Intentional homicide"), 87)
		f.SetCellValue(police, at("Robbery"), robbery)
		f.SetCellStr(police, at("Burglary"), "n.a.")
		in := filepath.Join(dir, "in", name+".xlsx")
		os.MkdirAll(filepath.Dir(in), 0o755)
		if err := f.SaveAs(in); err != nil {
			t.Fatal(err)
		}
		// Saved again by LibreOffice, as by a focal point's spreadsheet program.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", filepath.Join(dir, "out"), in)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		return filepath.Join(dir, "out", name+".xlsx")
	}
	wrong, right := fill("wrong", "twelve"), fill("right", 12)

	b := browsertest.New(t, 4*time.Minute)
	browserSignIn(b, ts.URL, "demo-fp-aut")
	b.Do(chromedp.Navigate(call+"/submission"), chromedp.WaitVisible(chromedp.CSS(`.upload-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#workbook-file`), []string{wrong}))
	b.Press(`.upload-form button`, http.StatusUnprocessableEntity)
	b.CheckAccessible("workbook problems")
	if got := b.Text(`.problems`); !strings.Contains(got, "“twelve” is not a whole number") || !strings.Contains(got, "Robbery") {
		b.Fatalf("problems: %q", got)
	}
	b.Screenshot("workbook-problems")
	b.Do(chromedp.Navigate(call+"/submission"), chromedp.WaitVisible(chromedp.CSS(`.upload-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#workbook-file`), []string{right}))
	b.Press(`.upload-form button`, http.StatusOK)
	b.CheckAccessible("workbook preview")
	b.Screenshot("workbook-preview")
	b.Press(`.preview-form button`, http.StatusOK)
	b.Do(chromedp.Navigate(call+"/police"), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
	y := strconv.Itoa(stats.Years[0])
	for id, want := range map[string]string{"homicide": "87", "robbery": "12"} {
		if got := b.Eval(`document.querySelector('#cell-police_offences-` + id + `-` + y + `-total').value`); got != want {
			b.Fatalf("%s after the upload: %q, want %q", id, got, want)
		}
	}
	if got := b.Eval(`document.querySelector('#cell-police_offences-burglary-` + y + `-total-s').value`); got != "na" {
		b.Fatalf("burglary after the upload: %q, want not available", got)
	}
}
