package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// timesOnPage lists the text of every time the page shows.
func timesOnPage(b *tab) []string {
	return evalJS[[]string](b, `[...document.querySelectorAll("time[datetime][data-local]")].map(t => t.textContent)`)
}

// TestBrowserTimeZone opens a meeting's page in a browser set to
// Europe/Paris: its times read in Paris time with the zone named, and the
// header's switch says so. The switch turns every time to UTC, and a
// fragment pushed afterwards arrives in UTC too; a reload, and another
// page, keep the choice; switching back shows Paris time again.
func TestBrowserTimeZone(t *testing.T) {
	s := start(t, tempDBEnv(t))
	start := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC) // winter: Paris is UTC+1
	s.mustPost(t,
		sessionHook("session-started", "tz-room", "s1", "start", start),
		presenceHook("participant-joined", "tz-room", "s1", "ada", "Ada"),
	)
	b := newTab(t, s.URL, 1280, 900)
	if _, err := chromedp.Call(b.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Paris"}); err != nil {
		t.Fatalf("set the browser's time zone: %v", err)
	}
	started := `document.querySelector("#meeting-sessions tbody td[data-label=Started] time")`
	local := regexp.MustCompile(`^Thu 15 Jan 11:00 (CET|GMT\+1)$`)
	paris := regexp.MustCompile(` (CET|GMT\+1)$`)

	b.open("/meetings/tz-room")
	b.waitLive(10 * time.Second)
	b.waitFor("the session's start shown", started+` && `+started+`.getAttribute("data-local") === "done"`, 10*time.Second)
	if got := evalJS[string](b, started+`.textContent`); !local.MatchString(got) {
		t.Errorf("the session's start reads %q in Paris, want %s", got, local)
	}
	if title := evalJS[string](b, started+`.title`); !strings.Contains(title, "15 Jan 2026 11:00:00") || !strings.Contains(title, "(Europe/Paris)") {
		t.Errorf("the start's title %q does not give the date and name the zone", title)
	}
	if name := evalJS[string](b, `document.querySelector("#time-zone:not([hidden]) .time-zone-name").textContent`); name != "Europe/Paris" {
		t.Errorf("the switch names the zone %q, want Europe/Paris", name)
	}
	for _, text := range timesOnPage(b) {
		if !paris.MatchString(text) {
			t.Errorf("a time reads %q, without Paris's zone", text)
		}
	}

	// To UTC: every time, and what is pushed afterwards.
	b.do(10*time.Second, chromedp.Click(chromedp.CSS("#time-zone")))
	b.waitFor("the start in UTC", started+`.textContent === "Thu 15 Jan 10:00 UTC"`, 5*time.Second)
	if pressed := evalJS[string](b, `document.getElementById("time-zone").getAttribute("aria-pressed") + " " + document.querySelector("#time-zone .time-zone-name").textContent`); pressed != "true UTC" {
		t.Errorf("the switch after choosing UTC: %q", pressed)
	}
	s.mustPost(t, presenceHook("participant-joined", "tz-room", "s1", "bob", "Bob"))
	b.waitFor("Bob's row", `[...document.querySelectorAll("#meeting-participants td")].some(td => td.textContent.trim() === "Bob")`, 10*time.Second)
	b.notReloaded()
	for _, text := range timesOnPage(b) {
		if !strings.HasSuffix(text, " UTC") {
			t.Errorf("in UTC, a time reads %q", text)
		}
	}
	now := time.Now().UTC()
	joined := evalJS[string](b, `[...document.querySelectorAll("#meeting-participants tr")].find(tr => tr.textContent.includes("Bob")).querySelector("td[data-label=Joined] time").textContent`)
	if !regexp.MustCompile(`^\d\d:\d\d:\d\d UTC$`).MatchString(joined) || (joined[:2] != now.Format("15") && joined[:2] != now.Add(-time.Minute).Format("15")) {
		t.Errorf("Bob's join, pushed after choosing UTC, reads %q (now %s UTC)", joined, now.Format("15:04:05"))
	}

	// Remembered: after a reload, and on another page.
	b.open("/meetings/tz-room")
	b.waitFor("the start in UTC after a reload", started+` && `+started+`.textContent === "Thu 15 Jan 10:00 UTC"`, 10*time.Second)
	b.open("/events")
	b.waitFor("the event log's times", `document.querySelector("#events-list time[data-local=done]")`, 10*time.Second)
	for _, text := range timesOnPage(b) {
		if !strings.HasSuffix(text, " UTC") {
			t.Errorf("on the event log, a time reads %q after choosing UTC", text)
		}
	}

	// And back.
	b.do(10*time.Second, chromedp.Click(chromedp.CSS("#time-zone")))
	b.open("/meetings/tz-room")
	b.waitFor("the start in Paris again", started+` && `+started+`.getAttribute("data-local") === "done"`, 10*time.Second)
	if got := evalJS[string](b, started+`.textContent`); !local.MatchString(got) {
		t.Errorf("after switching back, the start reads %q", got)
	}
	b.checkClean()
}

// TestBrowserCSVDownload clicks a filtered list's CSV link and a meeting's
// attendance link in a browser, which saves each file as the server names
// it; the files parse, hold what the filters select, and equal the JSON
// API read with the same filters.
func TestBrowserCSVDownload(t *testing.T) {
	s := start(t, tempDBEnv(t))
	s.mustPost(t,
		jobHook("recording-failed", "dl-1", "r1"),
		jobHook("recording-stopped", "dl-2", "r2"),
		jobHook("recording-failed", "other-3", "r3"),
		presenceHook("participant-joined", "dl-1", "s-dl-1", "ada", "Ada Lovelace"),
		presenceHook("participant-left", "dl-1", "s-dl-1", "ada", "Ada Lovelace", "reason", "user-left"),
	)
	dir := t.TempDir()
	b := newTab(t, s.URL, 1280, 900)
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	download := func(name string) csvTable {
		t.Helper()
		path := filepath.Join(dir, name)
		deadline := time.Now().Add(20 * time.Second)
		for {
			if body, err := os.ReadFile(path); err == nil {
				return parseCSV(t, body)
			}
			if time.Now().After(deadline) {
				entries, _ := os.ReadDir(dir)
				t.Fatalf("no %s downloaded within 20 s (the folder holds %v)\n%s", name, entries, b.state())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	b.open("/recordings?meeting=dl-&status=failed")
	if href := evalJS[string](b, `document.querySelector("form.filter a.export").getAttribute("href")`); href != "/recordings.csv?meeting=dl-&status=failed" {
		t.Errorf("the CSV link is %q", href)
	}
	b.do(10*time.Second, chromedp.Click(chromedp.CSS("form.filter a.export")))
	recs := download("recordings.csv")
	if len(recs.rows) != 1 || recs.rows[0]["meeting_id"] != "dl-1" || recs.rows[0]["recording_id"] != "r1" || recs.rows[0]["status"] != "failed" {
		t.Errorf("the downloaded recordings: %v", recs.rows)
	}
	// The file holds what the API gives for the same filters.
	api := s.apiWalk(t, "/api/recordings?meeting=dl-&status=failed", "recordings", 50)
	if got, want := strings.Join(recs.column("recording_id"), ","), strings.Join(field(api, "id"), ","); got != want {
		t.Errorf("the downloaded recordings are %q, the API's %q", got, want)
	}
	if got, want := strings.Join(recs.column("status"), ","), strings.Join(field(api, "status"), ","); got != want {
		t.Errorf("the downloaded statuses are %q, the API's %q", got, want)
	}

	b.open("/meetings/dl-1")
	b.do(10*time.Second, chromedp.Click(chromedp.CSS("#meeting-participants a.export")))
	stays := download("attendance-dl-1.csv")
	if len(stays.rows) != 1 || stays.rows[0]["name"] != "Ada Lovelace" || stays.rows[0]["leave_reason"] != "user-left" || stays.rows[0]["joined_utc"] == "" {
		t.Errorf("the downloaded attendance: %v", stays.rows)
	}
	var att struct {
		Stays []struct {
			ParticipantID string    `json:"participantId"`
			Name          string    `json:"name"`
			JoinedAt      time.Time `json:"joinedAt"`
			LeftAt        time.Time `json:"leftAt"`
			LeaveReason   string    `json:"leaveReason"`
		} `json:"stays"`
	}
	s.getJSON(t, "/api/meetings/dl-1/attendance", &att)
	if len(att.Stays) != len(stays.rows) {
		t.Fatalf("the attendance API has %d stays, the file %d", len(att.Stays), len(stays.rows))
	}
	const csvTime = "2006-01-02 15:04:05"
	for i, a := range att.Stays {
		r := stays.rows[i]
		if r["participant_id"] != a.ParticipantID || r["name"] != a.Name || r["leave_reason"] != a.LeaveReason ||
			r["joined_utc"] != a.JoinedAt.UTC().Format(csvTime) || r["left_utc"] != a.LeftAt.UTC().Format(csvTime) {
			t.Errorf("stay %d: the file has %v, the API %+v", i, r, a)
		}
	}
	b.checkClean()
}
