package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portal/forms"
	"portal/forms/definition"
	"portal/forms/demo"
	"portal/storage/storagetest"
)

// BenchmarkExport: the long dataset of synthetic statistics for
// PORTAL_BENCH_STATES Member States (193 by default) over 20 years, read
// from PostgreSQL and written as XLSX, against excelize's StreamWriter
// writing the same rows from memory in the same run; with the peak heap of
// each. The database is generated first (about half a minute for 193).
func BenchmarkExport(b *testing.B) {
	states := 193
	if v, err := strconv.Atoi(os.Getenv("PORTAL_BENCH_STATES")); err == nil && v > 0 {
		states = v
	}
	ctx := context.Background()
	s := storagetest.NewStore(b)
	if _, _, err := generate(ctx, s, states, 20, time.Now(), io.Discard); err != nil {
		b.Fatal(err)
	}
	if err := s.Analyze(ctx); err != nil { // as portal demo generate does, and autovacuum in time
		b.Fatal(err)
	}
	key := "uncts-synthetic-20"
	call, err := s.CallByKey(ctx, key)
	if err != nil {
		b.Fatal(err)
	}
	var rows [][]any
	if err := s.StatisticsRows(ctx, call, false, func(r forms.StatRow) error {
		rows = append(rows, []any{r.Organization.Code, r.Organization.M49, r.ISO2, r.Organization.Name.En, r.Region, "", r.Cell.Question,
			r.Cell.Row, r.Cell.Row, "", r.Cell.Year, r.Cell.Category, r.Value.Value, "value", "", r.Value.Note, r.Reference, r.Version, "accepted", "", "", ""})
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d values", len(rows))
	b.Run("StreamWriterFromMemory", func(b *testing.B) {
		peak := watchHeap(b)
		for b.Loop() {
			f := excelize.NewFile()
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := sw.SetRow(cell, r); err != nil {
					b.Fatal(err)
				}
			}
			if err := sw.Flush(); err != nil {
				b.Fatal(err)
			}
			if _, err := f.WriteTo(io.Discard); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		peak()
	})
	rows = nil // the portal's export does not hold them
	ind := forms.Series{Question: "police_offences", Row: "robbery", Category: "total"}
	b.Run("RegionalAggregates", func(b *testing.B) {
		for b.Loop() {
			if aggs, err := s.Aggregates(ctx, call, ind, false); err != nil || len(aggs) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("Coverage", func(b *testing.B) {
		for b.Loop() {
			if rows, err := s.Coverage(ctx, call, false); err != nil || len(rows) != states {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("ReleaseReport", func(b *testing.B) {
		lib, err := definition.Builtin()
		if err != nil {
			b.Fatal(err)
		}
		q, _ := lib.Latest("crime-statistics")
		if err := s.SaveReportDraft(ctx, call, forms.ReportDraft{ReportText: forms.ReportText{Title: "Statistics"}}, forms.Actor{Label: "bench"}); err != nil {
			b.Fatal(err)
		}
		var rep forms.Report
		for b.Loop() {
			if rep, err = s.ReleaseReport(ctx, call, q, lib.All(), forms.Actor{Label: "bench"}); err != nil || len(rep.Sources) != states {
				b.Fatal(err)
			}
		}
		content, _ := json.Marshal(rep)
		b.ReportMetric(float64(len(content))/(1<<20), "MB-json")
	})
	b.Run("ReadRelease", func(b *testing.B) {
		for b.Loop() {
			if rep, err := s.Release(ctx, call.Key, 1); err != nil || len(rep.Sources) != states {
				b.Fatal(err)
			}
		}
	})
	b.Run("PortalExport", func(b *testing.B) {
		peak := watchHeap(b)
		for b.Loop() {
			n, err := exportStatistics(ctx, s, key, "xlsx", false, false, forms.English, io.Discard)
			if err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
		peak()
	})
	// The same with the demo's thirty years of past series imported (nine
	// series, every Member State; seventeen of the years overlap the
	// call's), which the release and the export read where the
	// submissions give nothing. Run after the others: the import stays.
	b.Run("WithHistory", func(b *testing.B) {
		lib, err := definition.Builtin()
		if err != nil {
			b.Fatal(err)
		}
		if err := demo.EnsureHistory(ctx, s, lib, time.Now()); err != nil {
			b.Fatal(err)
		}
		if err := s.Analyze(ctx); err != nil {
			b.Fatal(err)
		}
		q, _ := lib.Latest("crime-statistics")
		if err := s.SaveReportDraft(ctx, call, forms.ReportDraft{ReportText: forms.ReportText{Title: "Statistics"}}, forms.Actor{Label: "bench"}); err != nil {
			b.Fatal(err)
		}
		b.Run("ReleaseReport", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ReleaseReport(ctx, call, q, lib.All(), forms.Actor{Label: "bench"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("PortalExport", func(b *testing.B) {
			peak := watchHeap(b)
			for b.Loop() {
				if n, err := exportStatistics(ctx, s, key, "xlsx", false, false, forms.English, io.Discard); err != nil || n == 0 {
					b.Fatal(n, err)
				}
			}
			peak()
		})
	})
}

// watchHeap samples the live heap every few milliseconds until the
// returned function is called, which reports the peak in MB.
func watchHeap(b *testing.B) func() {
	runtime.GC() // what the run before left is not this run's
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	}
}
