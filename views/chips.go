package views

import "github.com/meetboard/meetboard/models"

// chip is how a room card names one person in the room.
type chip struct {
	// Name is the person's name, or their id when they gave none.
	Name string
	// Tag tells apart people of the same name in the room: the end of
	// their id, as short as still differs ("…" before it when cut); empty
	// when the name is the only one of its kind.
	Tag string
	// ID is the person's participant id, shown on hover.
	ID string
}

// minTag is the fewest characters of an id a tag shows.
const minTag = 4

// chips names the people of a room card, in order, telling apart people
// who share a name by the end of their id.
func chips(ps []models.Participant) []chip {
	out := make([]chip, len(ps))
	same := map[string][]int{}
	for i, p := range ps {
		out[i] = chip{Name: displayName(p), ID: p.ParticipantID}
		same[out[i].Name] = append(same[out[i].Name], i)
	}
	for _, group := range same {
		if len(group) < 2 {
			continue
		}
		ids := make([]string, len(group))
		for j, i := range group {
			ids[j] = ps[i].ParticipantID
		}
		for j, i := range group {
			out[i].Tag = idTail(ids[j], ids)
		}
	}
	return out
}

// idTail is the shortest end of id, minTag characters at least, that no
// other of ids ends with; the whole id when none is that short.
func idTail(id string, ids []string) string {
	r := []rune(id)
	for n := minTag; n < len(r); n++ {
		tail := string(r[len(r)-n:])
		unique := true
		for _, other := range ids {
			if other != id && hasRuneSuffix(other, tail) {
				unique = false
				break
			}
		}
		if unique {
			return "…" + tail
		}
	}
	return id
}

func hasRuneSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}
