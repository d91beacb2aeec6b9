package views

import (
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/meetboard/meetboard/models"
)

// TestSameNameChips: two people of one name in a room get chips that
// differ, by the end of their ids; everyone's chip shows their id on
// hover, and a name of its own gets no tag.
func TestSameNameChips(t *testing.T) {
	rooms, _ := sampleRooms()
	r := rooms[0]
	r.Present = []models.Participant{
		{ParticipantID: "9c1d2e7f3a91", Name: "Ada Lovelace", Present: true},
		{ParticipantID: "5b0a44e08c44", Name: "Ada Lovelace", Present: true},
		{ParticipantID: "user-1", Name: "Sam", Present: true},
		{ParticipantID: "user-11", Name: "Sam", Present: true},
		{ParticipantID: "11", Name: "Sam", Present: true},
		{ParticipantID: "p-grace", Name: "Grace Hopper", Present: true},
	}
	r.InRoom = len(r.Present)
	doc := parse(t, render(t, Fragment{ID: roomID(r), Component: roomCard(r)}))
	type shown struct{ text, tag, title string }
	var got []shown
	doc.Find("li.chip").Each(func(_ int, li *goquery.Selection) {
		got = append(got, shown{li.Text(), li.Find(".chip-id").Text(), li.AttrOr("title", "")})
	})
	want := []shown{
		{"Ada Lovelace…3a91", "…3a91", "id 9c1d2e7f3a91"},
		{"Ada Lovelace…8c44", "…8c44", "id 5b0a44e08c44"},
		{"Sam…er-1", "…er-1", "id user-1"},
		{"Sam…r-11", "…r-11", "id user-11"},
		{"Sam11", "11", "id 11"},
		{"Grace Hopper", "", "id p-grace"},
	}
	if len(got) != len(want) {
		t.Fatalf("chips %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("chip %d: %q, want %q", i, got[i], want[i])
		}
	}
}
