package videosdk

import (
	"bytes"
	"encoding/json"

	"github.com/meetboard/meetboard/handlers/webhooks/payload"
)

// VideoSDK's data is read with payload.Fields, except in two ways, kept as
// they have always been:
//   - problems are noted under a member's bare key at any depth ("keyUrl",
//     not "encryption.keyUrl"), and an object that is not one (data, or an
//     element of a list) as "data is not an object": use data, obj and list
//     here, not Fields.Obj and Fields.List;
//   - JSON members keep their text as sent, compacted: use jsonText, not
//     Fields.JSON (which re-encodes with sorted keys).

// data reads raw, a delivery's data object or an element of a list.
func data(raw json.RawMessage, problems *[]string) payload.Fields {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' && string(t) != "null" {
		*problems = append(*problems, "data is not an object")
		return payload.Parse(nil, problems)
	}
	return payload.Parse(raw, problems)
}

// obj returns a member that is an object.
func obj(d payload.Fields, key string) payload.Fields {
	raw := d.Raw(key)
	if raw != nil && raw[0] != '{' {
		d.Note("%s: expected an object, got %s", key, payload.KindOf(raw))
		raw = nil
	}
	return data(raw, d.Problems())
}

// list returns a member that is an array, each element read as by data.
func list(d payload.Fields, key string) []payload.Fields {
	raw := d.Raw(key)
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.Note("%s: expected an array, got %s", key, payload.KindOf(raw))
		return nil
	}
	out := make([]payload.Fields, 0, len(items))
	for _, it := range items {
		out = append(out, data(it, d.Problems()))
	}
	return out
}

// jsonText returns a member as compact JSON text, cleaned ("" when absent
// or null).
func jsonText(d payload.Fields, key string) string {
	raw := d.Raw(key)
	if raw == nil {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return ""
	}
	return payload.Clean(buf.String())
}
