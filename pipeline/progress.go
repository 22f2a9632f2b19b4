package pipeline

import (
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
)

// bar draws ingest progress by bytes of extract files on a terminal; without one it does
// nothing (the structured log lines say the same).
type bar struct {
	pb    *progressbar.ProgressBar
	sizes map[string]int64
}

func newBar(w io.Writer, cfg *config.Config) *bar {
	b := &bar{sizes: map[string]int64{}}
	if w == nil {
		return b
	}
	var total int64
	for _, src := range sourcesOf(cfg) {
		files, _ := connectors.Expand(src.pattern)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil {
				b.sizes[f] = st.Size()
				total += st.Size()
			}
		}
	}
	if total == 0 {
		return b
	}
	b.pb = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("ingest"), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30),
		progressbar.OptionShowDescriptionAtLineEnd())
	return b
}

func (b *bar) start(file string) {
	if b.pb != nil {
		b.pb.Describe(filepath.Base(file))
	}
}

func (b *bar) finish(file string) {
	if b.pb != nil {
		_ = b.pb.Add64(b.sizes[file])
	}
}

func (b *bar) done() {
	if b.pb != nil {
		_ = b.pb.Finish()
	}
}

// modelBar draws transform progress by models built on a terminal; without one it does
// nothing (debug log lines give each model's time).
type modelBar struct {
	w  io.Writer
	pb *progressbar.ProgressBar
}

func newModelBar(w io.Writer) *modelBar { return &modelBar{w: w} }

func (b *modelBar) step(model string, done, total int) {
	if b.w == nil {
		return
	}
	if b.pb == nil {
		b.pb = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w), progressbar.OptionSetDescription("transform"),
			progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30), progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionShowCount())
	}
	b.pb.Describe(model)
	_ = b.pb.Set(done)
}

func (b *modelBar) done() {
	if b.pb != nil {
		_ = b.pb.Finish()
	}
}
