package views

import (
	"testing"

	"github.com/meetboard/meetboard/models"
)

func TestFilteredOut(t *testing.T) {
	for _, c := range []struct {
		hidden int
		want   string
	}{
		{0, `No live meeting matches "ab"c", and there is none without the filter either.`},
		{1, `No live meeting matches "ab"c" — 1 live room is hidden by the filter.`},
		{12, `No live meeting matches "ab"c" — 12 live rooms are hidden by the filter.`},
		{models.CountCap, `No live meeting matches "ab"c" — 1000 live rooms are hidden by the filter.`},
		{models.CountCap + 1, `No live meeting matches "ab"c" — more than 1000 live rooms are hidden by the filter.`},
	} {
		if got := filteredOut("live meeting", "live room", `ab"c`, c.hidden); got != c.want {
			t.Errorf("%d hidden: %q, want %q", c.hidden, got, c.want)
		}
	}
}
