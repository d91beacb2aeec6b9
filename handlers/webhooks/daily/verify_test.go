package daily

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/webhooktest"
)

// The secret as Daily hands it out (base64) and as Verify takes it.
var (
	testSecretText = base64.StdEncoding.EncodeToString([]byte("meetboard daily webhook secret!!"))
	testSecret     = []byte("meetboard daily webhook secret!!")
	otherSecret    = []byte("another daily webhook secret...!")
	verifyNow      = time.Unix(1717000000, 0)
)

// mac is HMAC-SHA256(secret, timestamp + "." + body), as Daily signs.
func mac(secret []byte, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(timestamp + "."))
	h.Write(body)
	return h.Sum(nil)
}

func sign(secret []byte, timestamp string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(secret, timestamp, body))
}

// secs is the Unix time d from verifyNow, in seconds.
func secs(d time.Duration) string { return strconv.FormatInt(verifyNow.Add(d).Unix(), 10) }

// millis is the Unix time d from verifyNow, in milliseconds.
func millis(d time.Duration) string { return strconv.FormatInt(verifyNow.Add(d).UnixMilli(), 10) }

func TestParseSecret(t *testing.T) {
	raw := []byte{0xfb, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04}
	for name, text := range map[string]string{
		"standard":             base64.StdEncoding.EncodeToString(raw),
		"standard, no padding": base64.RawStdEncoding.EncodeToString(raw),
		"URL alphabet":         base64.URLEncoding.EncodeToString(raw),
		"URL, no padding":      base64.RawURLEncoding.EncodeToString(raw),
		"surrounded by space":  " \n" + base64.StdEncoding.EncodeToString(raw) + "\r\n",
	} {
		got, err := ParseSecret(text)
		if err != nil {
			t.Errorf("%s: ParseSecret(%q): %v", name, text, err)
		} else if !bytes.Equal(got, raw) {
			t.Errorf("%s: ParseSecret(%q) = %x, want %x", name, text, got, raw)
		}
	}
	if got, err := ParseSecret(testSecretText); err != nil || !bytes.Equal(got, testSecret) {
		t.Errorf("ParseSecret(test secret) = %q, %v", got, err)
	}
	for _, text := range []string{"", "  ", "====", "a", "not base64!", "ab cd", "abc$", "dGVzdA=x", "whsec_abc", "ééé"} {
		if got, err := ParseSecret(text); err == nil {
			t.Errorf("ParseSecret(%q) = %x, want an error", text, got)
		} else if !strings.HasPrefix(err.Error(), "daily webhook secret") {
			t.Errorf("ParseSecret(%q) error %q does not say what it is about", text, err)
		}
	}
}

func TestVerify(t *testing.T) {
	body := webhooktest.ReadFixture(t, "participant.joined.json")
	ts := secs(0)
	good := sign(testSecret, ts, body)

	t.Run("good", func(t *testing.T) {
		sum := mac(testSecret, ts, body)
		cases := []struct{ name, sig, ts string }{
			{"standard", good, ts},
			{"space around the signature", " " + good + "\r\n", ts},
			{"no padding", base64.RawStdEncoding.EncodeToString(sum), ts},
			{"URL alphabet", base64.URLEncoding.EncodeToString(sum), ts},
			{"4 minutes old", sign(testSecret, secs(-4*time.Minute), body), secs(-4 * time.Minute)},
			{"4 minutes ahead", sign(testSecret, secs(4*time.Minute), body), secs(4 * time.Minute)},
			{"exactly 5 minutes old", sign(testSecret, secs(-5*time.Minute), body), secs(-5 * time.Minute)},
			{"milliseconds", sign(testSecret, millis(0), body), millis(0)},
			{"milliseconds, 4 minutes old", sign(testSecret, millis(-4*time.Minute), body), millis(-4 * time.Minute)},
			{"float seconds", sign(testSecret, ts+".961", body), ts + ".961"},
			{"float milliseconds", sign(testSecret, millis(0)+".5", body), millis(0) + ".5"},
		}
		for _, tc := range cases {
			if err := Verify(testSecret, body, tc.sig, tc.ts, verifyNow, 5*time.Minute); err != nil {
				t.Errorf("%s: Verify: %v", tc.name, err)
			}
		}
	})

	t.Run("secret from ParseSecret", func(t *testing.T) {
		secret, err := ParseSecret(testSecretText)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(secret, body, good, ts, verifyNow, 5*time.Minute); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})

	t.Run("default skew", func(t *testing.T) {
		for _, skew := range []time.Duration{0, -time.Second} {
			if err := Verify(testSecret, body, sign(testSecret, secs(-4*time.Minute), body), secs(-4*time.Minute), verifyNow, skew); err != nil {
				t.Errorf("maxSkew %s, 4 minutes old: %v", skew, err)
			}
			if err := Verify(testSecret, body, sign(testSecret, secs(-6*time.Minute), body), secs(-6*time.Minute), verifyNow, skew); err == nil {
				t.Errorf("maxSkew %s, 6 minutes old: accepted", skew)
			}
		}
	})

	wrongBody := bytes.Replace(body, []byte("Dr Lee"), []byte("Dr Lex"), 1)
	stale, future := secs(-6*time.Minute), secs(6*time.Minute)
	bad := []struct {
		name      string
		secret    []byte
		body      []byte
		sig, ts   string
		skew      time.Duration
		mentioned string
	}{
		{"wrong body", testSecret, wrongBody, good, ts, 0, "does not match"},
		{"body with a trailing newline", testSecret, append(append([]byte(nil), body...), '\n'), good, ts, 0, "does not match"},
		{"empty body", testSecret, nil, good, ts, 0, "does not match"},
		{"wrong secret", otherSecret, body, good, ts, 0, "does not match"},
		{"signed by another secret", testSecret, body, sign(otherSecret, ts, body), ts, 0, "does not match"},
		{"secret text not decoded", []byte(testSecretText), body, good, ts, 0, "does not match"},
		{"signed with the undecoded secret", testSecret, body, sign([]byte(testSecretText), ts, body), ts, 0, "does not match"},
		{"another timestamp than signed", testSecret, body, good, secs(time.Second), 0, "does not match"},
		{"signed without the timestamp", testSecret, body, base64.StdEncoding.EncodeToString(hmacOf(testSecret, body)), ts, 0, "does not match"},
		{"signed without the dot", testSecret, body, base64.StdEncoding.EncodeToString(hmacOf(testSecret, append([]byte(ts), body...))), ts, 0, "does not match"},
		{"SHA-1 HMAC", testSecret, body, base64.StdEncoding.EncodeToString(make([]byte, 20)), ts, 0, "not a base64 HMAC-SHA256"},
		{"hex digest instead of base64", testSecret, body, hex.EncodeToString(mac(testSecret, ts, body)), ts, 0, "hex digest"},
		{"upper-case hex digest", testSecret, body, strings.ToUpper(hex.EncodeToString(mac(testSecret, ts, body))), ts, 0, "hex digest"},
		{"not base64", testSecret, body, "!!!not base64???", ts, 0, "not a base64"},
		{"truncated signature", testSecret, body, good[:len(good)-8], ts, 0, "not a base64 HMAC-SHA256"},
		{"missing signature", testSecret, body, "", ts, 0, "missing " + SignatureHeader},
		{"blank signature", testSecret, body, " \t ", ts, 0, "missing " + SignatureHeader},
		{"missing timestamp", testSecret, body, good, "", 0, "missing " + TimestampHeader},
		{"both headers missing", testSecret, body, "", "", 0, "missing"},
		{"no secret", nil, body, sign(nil, ts, body), ts, 0, "no webhook secret"},
		{"6 minutes old", testSecret, body, sign(testSecret, stale, body), stale, 5 * time.Minute, "stale"},
		{"6 minutes ahead", testSecret, body, sign(testSecret, future, body), future, 5 * time.Minute, "future"},
		{"6 minutes old, milliseconds", testSecret, body, sign(testSecret, millis(-6*time.Minute), body), millis(-6 * time.Minute), 5 * time.Minute, "stale"},
		{"6 minutes ahead, milliseconds", testSecret, body, sign(testSecret, millis(6*time.Minute), body), millis(6 * time.Minute), 5 * time.Minute, "future"},
		{"2 minutes old, 1 minute allowed", testSecret, body, sign(testSecret, secs(-2*time.Minute), body), secs(-2 * time.Minute), time.Minute, "stale"},
		{"a day old", testSecret, body, sign(testSecret, secs(-24*time.Hour), body), secs(-24 * time.Hour), 5 * time.Minute, "stale"},
		{"year 5138", testSecret, body, sign(testSecret, "99999999999", body), "99999999999", 5 * time.Minute, "future"},
		{"12 digits are milliseconds (1978)", testSecret, body, sign(testSecret, "253402300799", body), "253402300799", 5 * time.Minute, "stale"},
		{"timestamp not a number", testSecret, body, sign(testSecret, "soon", body), "soon", 0, "not a Unix time"},
		{"timestamp zero", testSecret, body, sign(testSecret, "0", body), "0", 0, "not a Unix time"},
		{"timestamp negative", testSecret, body, sign(testSecret, "-1717000000", body), "-1717000000", 0, "not a Unix time"},
		{"timestamp ISO", testSecret, body, sign(testSecret, "2024-05-29T16:26:40Z", body), "2024-05-29T16:26:40Z", 0, "not a Unix time"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.body, tc.sig, tc.ts, verifyNow, tc.skew)
			if err == nil {
				t.Fatal("Verify accepted it")
			}
			if !errors.Is(err, ErrBadSignature) {
				t.Errorf("error %v does not wrap ErrBadSignature", err)
			}
			if !strings.Contains(err.Error(), tc.mentioned) {
				t.Errorf("error %q does not mention %q", err, tc.mentioned)
			}
		})
	}
}

func hmacOf(secret, msg []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(msg)
	return h.Sum(nil)
}
