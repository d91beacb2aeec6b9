package models

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxIDLength is the most bytes an id may have for its delivery to be
// applied to the models. It bounds every value of an event that lands in an
// indexed column: the provider event id, meeting and session ids, the
// participant id, and the ids, keys and step words of recordings, streams,
// transcriptions, calls, agent sessions, batch calls, resources and
// knowledge bases. Provider ids are far shorter (a UUID is 36 bytes); the
// bound keeps every index entry well under PostgreSQL's btree row limit
// (about 2,700 bytes, a third of a page), which an id of a few kilobytes
// would break on every retry. Names, messages, URLs and other values no
// index holds are not bounded here.
const MaxIDLength = 256

// namedID is a value of an event that an index holds, with what to call it
// in a problem note.
type namedID struct {
	name, value string
}

// indexedIDs lists the values of an event that land in indexed columns,
// the keys the decoders build from several ids included.
func (e Event) indexedIDs() []namedID {
	ids := []namedID{{"provider event id", e.ProviderEventID}, {"meeting id", e.MeetingID}, {"session id", e.SessionID}}
	if p := e.Participant; p != nil {
		ids = append(ids, namedID{"participant id", p.ParticipantID})
	}
	if r := e.Recording; r != nil {
		ids = append(ids, namedID{"recording key", r.Key}, namedID{"recording instance id", r.InstanceID})
	}
	if s := e.Stream; s != nil {
		ids = append(ids, namedID{"stream key", s.Key})
	}
	if t := e.Transcription; t != nil {
		ids = append(ids, namedID{"transcription key", t.Key})
	}
	if c := e.Call; c != nil {
		ids = append(ids, namedID{"call id", c.CallID}, namedID{"call step", c.Step},
			namedID{"call status", c.Status}, namedID{"call step time", c.AtText})
	}
	if a := e.Agent; a != nil {
		ids = append(ids, namedID{"agent session id", a.AgentSession})
	}
	if b := e.BatchCall; b != nil {
		ids = append(ids, namedID{"batch call id", b.BatchID})
	}
	if r := e.Resource; r != nil {
		ids = append(ids, namedID{"resource id", r.ResourceID})
	}
	if k := e.KnowledgeBase; k != nil {
		ids = append(ids, namedID{"knowledge base id", k.KnowledgeBaseID}, namedID{"knowledge base record id", k.RecordID})
	}
	return ids
}

// boundIDs returns a delivery as the store takes it in. One whose event has
// an indexed value over MaxIDLength bytes is kept in the log only: its
// changes are dropped, a problem naming the over-long values is noted, and
// the event log's indexed columns get forms that fit. The meeting id is cut
// to its first MaxIDLength bytes (at a character boundary, so a filter by
// the id's start finds the delivery), and the provider event id becomes
// "sha256:" and the hex SHA-256 of the id, so a redelivery is still a
// duplicate. The body is kept whole. Every event log row therefore fits its
// indexes, and a delivery whose apply fails can always be kept in the log
// with the error noted.
func boundIDs(d Delivery) Delivery {
	var over []string
	for _, id := range d.Event.indexedIDs() {
		if len(id.value) > MaxIDLength {
			over = append(over, fmt.Sprintf("%s is %d bytes", id.name, len(id.value)))
		}
	}
	if len(over) == 0 {
		return d
	}
	ev := d.Event
	note := fmt.Sprintf("%s, over the %d-byte limit: kept in the log only", strings.Join(over, ", "), MaxIDLength)
	d.Event = Event{
		Type:            ev.Type,
		ProviderEventID: boundEventID(ev.ProviderEventID),
		MeetingID:       cutID(ev.MeetingID),
		SessionID:       ev.SessionID,
		Problems:        append(slices.Clip(ev.Problems), note),
	}
	return d
}

// cutID returns at most the first MaxIDLength bytes of id, cut at a UTF-8
// character boundary.
func cutID(id string) string {
	if len(id) <= MaxIDLength {
		return id
	}
	n := MaxIDLength
	for n > 0 && !utf8.RuneStart(id[n]) {
		n--
	}
	return id[:n]
}

// boundEventID returns a provider event id over MaxIDLength bytes as
// "sha256:" and its hex SHA-256, and a shorter one as it is.
func boundEventID(id string) string {
	if len(id) <= MaxIDLength {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}
