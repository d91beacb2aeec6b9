package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestFavicon: /favicon.ico, which browsers ask for by themselves, is an
// icon and needs no sign-in, and every page (sign-in included) links the
// SVG icon, which loads.
func TestFavicon(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := func(k string) string { return map[string]string{"DATABASE_URL": db}[k] }
	if err := run(context.Background(), []string{"user", "add", "ada"}, env, strings.NewReader("long enough password\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s := start(t, map[string]string{"DATABASE_URL": db})
	c := browserClient() // not signed in

	resp, ico := get(t, c, s.URL+"/favicon.ico", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("/favicon.ico: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkICO(t, []byte(ico))

	_, login := get(t, c, s.URL+"/login", nil)
	b := s.signIn(t, "ada", "long enough password")
	for _, page := range []string{"/", "/events", "/meetings/none-yet", "login"} {
		html := login
		if page != "login" {
			var resp *http.Response
			resp, html = get(t, b, s.URL+page, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", page, resp.StatusCode)
			}
		}
		if !strings.Contains(html, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) ||
			!strings.Contains(html, `<link rel="icon" href="/favicon.ico"`) {
			t.Errorf("%s links no icon", page)
		}
	}
	resp, svg := get(t, c, s.URL+"/static/favicon.svg", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("/static/favicon.svg: %d %s %.40q", resp.StatusCode, resp.Header.Get("Content-Type"), svg)
	}
}

// checkICO reads an ICO file's directory and decodes each of its images,
// which must be PNGs of the size the directory says.
func checkICO(t *testing.T, b []byte) {
	t.Helper()
	var head struct{ Reserved, Type, Count uint16 }
	if err := binary.Read(bytes.NewReader(b), binary.LittleEndian, &head); err != nil || head.Reserved != 0 || head.Type != 1 || head.Count == 0 {
		t.Fatalf("not an ICO file: %+v %v", head, err)
	}
	for i := range int(head.Count) {
		var e struct {
			W, H, Colors, Reserved uint8
			Planes, Bits           uint16
			Size, Offset           uint32
		}
		if err := binary.Read(bytes.NewReader(b[6+16*i:]), binary.LittleEndian, &e); err != nil || int(e.Offset)+int(e.Size) > len(b) {
			t.Fatalf("ICO entry %d: %+v %v", i, e, err)
		}
		img, err := png.Decode(bytes.NewReader(b[e.Offset : e.Offset+e.Size]))
		if err != nil || img.Bounds().Dx() != int(e.W) || img.Bounds().Dy() != int(e.H) {
			t.Errorf("ICO entry %d (%dx%d): %v", i, e.W, e.H, err)
		}
	}
}
