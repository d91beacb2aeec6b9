package views

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Bounds on pretty-printing a stored webhook body, so that no page or push
// amplifies a body by more than a constant factor: a deeply nested array
// would otherwise put every level on a line of its own, indented by its
// depth (20 KB nested 9,990 deep is 200 MB indented).
const (
	// bodyMaxDepth is the deepest nesting of arrays and objects that is
	// indented.
	bodyMaxDepth = 64
	// bodyGrowth and bodySlack bound the indented text of an n-byte body to
	// bodyGrowth*n + bodySlack bytes. Webhook bodies as providers send
	// them grow by less than 1.5 times.
	bodyGrowth = 4
	bodySlack  = 1024
)

// prettyBody shows a stored webhook body for reading: JSON indented by two
// spaces, exactly as json.Indent would, when that stays within bodyMaxDepth
// levels and bodyGrowth*len(b)+bodySlack bytes; anything else (not JSON,
// nested too deep, too long once indented) is the body as stored. Bytes
// that are not UTF-8 are shown as U+FFFD, so the text can go in a
// websocket text frame (a browser drops the connection on a frame that is
// not UTF-8). The result is never longer than bodyGrowth*len(b)+bodySlack.
func prettyBody(b []byte) string {
	limit := bodyGrowth*len(b) + bodySlack
	if !utf8.Valid(b) {
		// At most 3 bytes for each byte replaced, within the limit.
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	if out, ok := indentJSON(b, limit); ok && json.Valid(b) {
		return string(out)
	}
	return string(b)
}

// indentJSON indents JSON text as json.Indent(dst, src, "", "  ") does, in
// one pass that gives up (false) as soon as the nesting passes
// bodyMaxDepth or the output passes limit bytes. It does not check that
// src is JSON: what it makes of anything else is meaningless, but bounded.
func indentJSON(src []byte, limit int) ([]byte, bool) {
	out := make([]byte, 0, min(limit, 2*len(src)))
	depth := 0 // arrays and objects open
	// open is set after "[" or "{": the line break after it waits for the
	// next token, so that empty ones stay "[]" and "{}".
	open := false
	inString, escaped := false, false
	for _, c := range src {
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			// Space inside the value goes; json.Indent keeps what follows it.
			if depth == 0 && len(out) > 0 {
				out = append(out, c)
			}
			continue
		}
		if open && c != ']' && c != '}' {
			open = false
			out = newline(out, depth)
		}
		switch c {
		case '[', '{':
			depth++
			if depth > bodyMaxDepth {
				return nil, false
			}
			open = true
			out = append(out, c)
		case ']', '}':
			if depth == 0 {
				return nil, false
			}
			depth--
			if open {
				open = false
			} else {
				out = newline(out, depth)
			}
			out = append(out, c)
		case ',':
			out = append(out, c)
			out = newline(out, depth)
		case ':':
			out = append(out, c, ' ')
		case '"':
			inString = true
			out = append(out, c)
		default:
			out = append(out, c)
		}
		if len(out) > limit {
			return nil, false
		}
	}
	return out, len(out) <= limit
}

// newline starts a line indented to depth.
func newline(out []byte, depth int) []byte {
	out = append(out, '\n')
	for range depth {
		out = append(out, ' ', ' ')
	}
	return out
}
