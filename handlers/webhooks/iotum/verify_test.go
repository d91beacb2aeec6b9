package iotum

import (
	"errors"
	"strings"
	"testing"
)

// fxToken looks like a token from the Callbridge admin UI.
const fxToken = "cb_whsec_4f9a1c27e8d34b6f0a5e92d1c7b8e3f6"

func TestVerify(t *testing.T) {
	sameLength := []byte(fxToken)
	sameLength[len(sameLength)-1] ^= 1
	cases := []struct {
		name   string
		token  string
		header string
		ok     bool
		why    string // a word the error must mention
	}{
		{"right token", fxToken, fxToken, true, ""},
		{"wrong token", fxToken, "cb_whsec_0000", false, "does not match"},
		{"missing header", fxToken, "", false, "missing"},
		{"same length, last byte differs", fxToken, string(sameLength), false, "does not match"},
		{"same length, first byte differs", fxToken, "X" + fxToken[1:], false, "does not match"},
		{"prefix of the token", fxToken, fxToken[:len(fxToken)-1], false, "does not match"},
		{"token is a prefix of the header", fxToken, fxToken + "0", false, "does not match"},
		{"one byte of the token", fxToken, fxToken[:1], false, "does not match"},
		{"surrounding space is not trimmed", fxToken, " " + fxToken + " ", false, "does not match"},
		{"case matters", fxToken, strings.ToUpper(fxToken), false, "does not match"},
		{"no token configured", "", "", false, "no token configured"},
		{"no token configured, any header", "", fxToken, false, "no token configured"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.token, tc.header)
			if tc.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify(%q, %q) accepted", tc.token, tc.header)
			}
			if !errors.Is(err, ErrBadToken) {
				t.Errorf("error %v does not wrap ErrBadToken", err)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("error %q does not mention %q", err, tc.why)
			}
			if strings.Contains(err.Error(), fxToken) || len(tc.header) > 4 && strings.Contains(err.Error(), tc.header) {
				t.Errorf("error %q echoes a token", err)
			}
		})
	}
}

// TestVerifyAllocs: a check is cheap enough to run before reading anything
// else of the request.
func TestVerifyAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Verify(fxToken, fxToken) }); n > 2 {
		t.Errorf("Verify allocates %v times per call", n)
	}
}
