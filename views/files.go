package views

import (
	"fmt"
	"strings"

	"github.com/meetboard/meetboard/models"
)

// storagePath is where a file without a URL is stored: its path, after its
// bucket when the provider names it.
func storagePath(f models.File) string {
	if f.Bucket == "" {
		return f.Path
	}
	return f.Bucket + "/" + strings.TrimPrefix(f.Path, "/")
}

// fileFacts says what a file holds and how big it is, when the provider
// says: "video · 412 MB".
func fileFacts(f models.File) string {
	var facts []string
	if f.Kind != "" {
		facts = append(facts, f.Kind)
	}
	if f.Size > 0 {
		facts = append(facts, byteSize(f.Size))
	}
	return strings.Join(facts, " · ")
}

// byteSize writes a number of bytes in decimal units, to three digits.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.3g %cB", v, "kMGTP"[i])
}
