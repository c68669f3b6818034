package workbook

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"portal/forms"
)

// TestLibreOfficeResave: a workbook opened and saved again by LibreOffice
// Calc (headless, from Debian's packages: make test installs it) reads
// back as exactly the same draft. Spreadsheet programs rewrite everything
// they save: shared strings, styles, comments, number types.
func TestLibreOfficeResave(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("LibreOffice is missing: install it (on Debian: apt-get install libreoffice-calc-nogui; make test does this when run as root)")
	}
	lib := library(t)
	for i, key := range []string{"tourism-views", "crime-statistics"} {
		q, _ := lib.Latest(key)
		rng := rand.New(rand.NewPCG(uint64(i), 11))
		want := randomAnswers(q, rng)
		warnings := explainSome(q, &want, rng) // the explanations sheet, streamed when read
		var buf bytes.Buffer
		if err := Write(&buf, Options{Questionnaire: q, Years: years, Lang: forms.English, Org: "AUT", Answers: want, Texts: texts(forms.English), Warnings: warnings}); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		in := filepath.Join(dir, "in", key+".xlsx")
		os.MkdirAll(filepath.Dir(in), 0o755)
		if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, in)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		outb, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("soffice: %v\n%s", err, outb)
		}
		resaved, err := os.ReadFile(filepath.Join(out, key+".xlsx"))
		if err != nil {
			t.Fatalf("LibreOffice wrote nothing: %v\n%s", err, outb)
		}
		if bytes.Equal(resaved, buf.Bytes()) {
			t.Fatal("the file was not re-saved")
		}
		res, problems, err := Read(bytes.NewReader(resaved), readOptions(t))
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s after LibreOffice: %v %v", key, err, problems)
		}
		for _, f := range want.Fields() {
			if got, w := res.Edit.Answers.Field(f), want.Field(f); got != w {
				t.Errorf("%s after LibreOffice: %s = %s, want %s", key, f, got, w)
			}
		}
		for _, f := range res.Edit.Fields {
			if got, w := res.Edit.Answers.Field(f), want.Field(f); got != w {
				t.Errorf("%s after LibreOffice: %s = %s, want %s", key, f, got, w)
			}
		}
	}
}
