package handlers

import (
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
)

// TestProblemsTopic: the problems page's topic keeps its meeting filter
// and its cursor in one spelling, drops what the page ignores, and is
// refused for a cursor that is none; every change reaches it, events of
// no meeting too.
func TestProblemsTopic(t *testing.T) {
	cursor := models.ProblemCursor{At: time.Unix(1700000000, 5).UTC(), Kind: models.ProblemCall, Ref: 9}.String()
	for _, c := range []struct{ in, want string }{
		{"problems", "problems"},
		{"problems?page=3&status=failed", "problems"},
		{"problems?meeting=ab&before=" + cursor, "problems?before=" + cursor + "&meeting=ab"},
	} {
		got, err := parseTopic(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: topic %q, want %q", c.in, got.String(), c.want)
		}
		if again, _ := parseTopic(got.String()); again != got {
			t.Errorf("%s: the name does not read back to the same topic", c.in)
		}
	}
	for _, in := range []string{"problems?before=7", "problems?before=1.nothing.2"} {
		if _, err := parseTopic(in); err == nil {
			t.Errorf("%s makes a topic", in)
		}
	}
	all, _ := parseTopic("problems")
	if !all.affectedBy(map[string]bool{"m": true}, false) || !all.affectedBy(nil, true) || all.affectedBy(nil, false) {
		t.Error("the problems page misses changes it shows")
	}
	ab, _ := parseTopic("problems?meeting=ab")
	if !ab.affectedBy(map[string]bool{"abc": true}, false) || ab.affectedBy(map[string]bool{"x": true}, true) {
		t.Error("a filtered problems page is not affected by its meetings alone")
	}
}
