package views

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestParseLinkHosts(t *testing.T) {
	got, err := ParseLinkHosts(" CDN.Example.com, *.VideoSDK.Live,,bücher.example, 192.0.2.1, [2001:DB8::1], ::ffff:198.51.100.7, cdn.example.com, rec_bucket.s3.example ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cdn.example.com", "*.videosdk.live", "xn--bcher-kva.example", "192.0.2.1", "2001:db8::1", "198.51.100.7", "rec_bucket.s3.example"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseLinkHosts = %q, want %q", got, want)
	}
	for _, s := range []string{"", " ", " , ,"} {
		if got, err := ParseLinkHosts(s); err != nil || got != nil {
			t.Errorf("ParseLinkHosts(%q) = %q, %v; want nil, nil", s, got, err)
		}
	}
	for _, bad := range []string{
		"https://cdn.example.com",
		"cdn.example.com:443",
		"cdn.example.com/hls",
		"user@cdn.example.com",
		"cdn.example.com?x",
		`cdn.example.com\`,
		"*",
		"*.com",
		"a.*.example.com",
		"*example.com",
		"**.example.com",
		"*.192.0.2.1",
		"0x7f.1",
		"example.123",
		"bad host.example",
		"bad!.example",
		"a..example",
		"fe80::1%eth0",
		strings.Repeat("a", 64) + ".example",
		"ok.example, https://bad.example",
	} {
		if got, err := ParseLinkHosts(bad); err == nil {
			t.Errorf("ParseLinkHosts(%q) = %q, want an error", bad, got)
		}
	}
}

// renderLink renders extLink under ctx and reports whether it is a link,
// where it points, and the text version's title.
func renderLink(t *testing.T, ctx context.Context, raw string) (isLink bool, href, title string) {
	t.Helper()
	var buf bytes.Buffer
	if err := extLink("HLS playback", raw).Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Find("a")
	if a.Length() > 0 {
		href, _ = a.Attr("href")
		return true, href, ""
	}
	title, _ = doc.Find("span.url").Attr("title")
	return false, "", title
}

func TestLinkAllowlist(t *testing.T) {
	type tc struct {
		url  string
		link bool
	}
	cases := []struct {
		name  string
		hosts []string
		urls  []tc
	}{
		{"no list: any http(s) host", nil, []tc{
			{"https://anything.example/x.m3u8", true},
			{"http://10.0.0.5:8080/rec.mp4", true},
			{"HTTPS://CDN.OK/a", true},
			{"javascript:alert(document.cookie)", false},
			{"JavaScript:alert(1)", false},
			{"data:text/html,<script>alert(1)</script>", false},
			{"//cdn.ok/scheme-relative", false},
			{"https:cdn.ok", false},
			{"https:///cdn.ok", false},
			{"https://:443/", false},
			{"ftp://cdn.ok/x", false},
		}},
		{"exact host", []string{"cdn.ok"}, []tc{
			{"https://cdn.ok/hls/index.m3u8", true},
			{"http://cdn.ok/rec.mp4", true},
			{"https://CDN.Ok/upper", true},
			{"https://cdn.ok:8443/port-is-irrelevant", true},
			{"https://cdn.ok./trailing-dot", true},
			{"https://cdn．ok/fullwidth-dot", true},
			{"https://sub.cdn.ok/", false},
			{"https://cdn.ok.evil.com/", false},
			{"https://evilcdn.ok/", false},
			{"javascript:alert(1)//cdn.ok", false},
			{"javascript://cdn.ok/%0aalert(1)", false},
		}},
		{"userinfo tricks are judged by the real host", []string{"cdn.ok"}, []tc{
			{"https://cdn.ok@evil.com/", false},
			{"https://cdn.ok:443@evil.com/", false},
			{"https://cdn.ok@cdn.ok.evil.com/", false},
			{`https://evil.com\@cdn.ok/`, false},
			{`https://evil.com\\@cdn.ok/`, false},
			{`https://cdn.ok\.evil.com/`, false},
			{"https://evil.com#@cdn.ok/", false},
			{"https://evil.com?@cdn.ok/", false},
			{"https://evil.com/@cdn.ok/", false},
			{"https://evil.com%2f@cdn.ok/", true}, // userinfo "evil.com/" at cdn.ok, for Go and browsers alike
			{"https://user:pass@cdn.ok/", true},
			{"https://cdn.ok\t@evil.com/", false},
			{"https://cdn.ok\n.evil.com/", false},
		}},
		{"wildcard subdomains, not the apex", []string{"*.example.com"}, []tc{
			{"https://a.example.com/x", true},
			{"https://a.b.example.com/x", true},
			{"https://A.EXAMPLE.COM/x", true},
			{"https://example.com/x", false},
			{"https://evilexample.com/x", false},
			{"https://example.com.evil.net/x", false},
			{"https://a.example.com@evil.net/x", false},
		}},
		{"wildcard and apex listed", []string{"example.com", "*.example.com"}, []tc{
			{"https://example.com/x", true},
			{"https://a.example.com/x", true},
		}},
		{"IDN listed in Unicode", []string{"bücher.example"}, []tc{
			{"https://bücher.example/x", true},
			{"https://BÜCHER.example/x", true},
			{"https://xn--bcher-kva.example/x", true},
			{"https://XN--BCHER-KVA.EXAMPLE/x", true},
			{"https://bucher.example/x", false},
		}},
		{"IDN listed in punycode", []string{"xn--bcher-kva.example"}, []tc{
			{"https://Bücher.example/x", true},
		}},
		{"IP address", []string{"192.0.2.1", "2001:db8::1"}, []tc{
			{"https://192.0.2.1/x", true},
			{"https://[2001:db8::1]:8443/x", true},
			{"https://[2001:DB8:0::1]/x", true},
			{"https://0xc0000201/x", false},
			{"https://3221225985/x", false},
			{"https://192.0.2.10/x", false},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hosts, err := ParseLinkHosts(strings.Join(c.hosts, ","))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if c.hosts != nil {
				ctx = WithLinkHosts(ctx, hosts)
			}
			for _, u := range c.urls {
				isLink, href, title := renderLink(t, ctx, u.url)
				if isLink != u.link {
					t.Errorf("%q: link = %v, want %v (title %q)", u.url, isLink, u.link, title)
					continue
				}
				if linkable(ctx, u.url) != u.link {
					t.Errorf("%q: linkable = %v, want %v", u.url, !u.link, u.link)
				}
				if isLink && href != u.url {
					t.Errorf("%q: href = %q", u.url, href)
				}
				if !isLink && title == "" {
					t.Errorf("%q: text without a title saying why", u.url)
				}
			}
		})
	}
}

func TestLinkAllowlistTitles(t *testing.T) {
	ctx := WithLinkHosts(context.Background(), []string{"cdn.ok"})
	if _, _, title := renderLink(t, ctx, "https://cdn.ok@Evil.com/x"); title != "host evil.com is not on the link allowlist, so not a link" {
		t.Errorf("off-list title = %q", title)
	}
	if _, _, title := renderLink(t, ctx, "https://Bücher.example/x"); !strings.Contains(title, "xn--bcher-kva.example") {
		t.Errorf("IDN title = %q, want the punycode host so look-alikes show", title)
	}
	if _, _, title := renderLink(t, ctx, "javascript:alert(1)"); title != "not an http(s) URL, so not a link" {
		t.Errorf("javascript: title = %q", title)
	}
	var buf bytes.Buffer
	if err := extLink("HLS", "https://evil.com/<b>").Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<b>") || strings.Contains(buf.String(), "<a") || strings.Contains(buf.String(), "data-copy") {
		t.Errorf("off-list URL rendered as %s", buf.String())
	}
}

func TestWithLinkHostsScoping(t *testing.T) {
	const off = "https://evil.com/x"
	restricted := WithLinkHosts(context.Background(), []string{"cdn.ok"})
	if linkable(restricted, off) {
		t.Error("off-list host is a link")
	}
	if !linkable(WithLinkHosts(restricted, nil), off) {
		t.Error("an empty list under a list should allow every host again")
	}
	if !linkable(context.Background(), off) || !linkable(nil, off) { // a nil context must not panic
		t.Error("no list should allow every host")
	}
	// Entries ParseLinkHosts would reject never widen the list.
	bad := WithLinkHosts(context.Background(), []string{"*", "https://evil.com", "evil.com:443"})
	if linkable(bad, off) || linkable(bad, "https://cdn.ok/") {
		t.Error("a list of only invalid entries should allow no host")
	}
	// Raw (unparsed) entries are normalized the same way.
	raw := WithLinkHosts(context.Background(), []string{" CDN.OK ", "*.Bücher.Example"})
	if !linkable(raw, "https://cdn.ok/") || !linkable(raw, "https://a.xn--bcher-kva.example/") {
		t.Error("raw entries not normalized")
	}
}

// Fragments are rendered with the server's context for the live push and
// with the request's for the page: the same context gives the same HTML.
func TestFragmentRenderUsesContextAllowlist(t *testing.T) {
	f := Fragment{ID: "x", Component: extLink("HLS playback", "https://evil.com/index.m3u8")}
	open, err := f.Render(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	closed, err := f.Render(WithLinkHosts(context.Background(), []string{"cdn.ok"}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(open, []byte("<a ")) || bytes.Contains(closed, []byte("<a ")) {
		t.Errorf("open %s\nclosed %s", open, closed)
	}
}

// linkable reports whether a URL from a webhook may be a link: only
// absolute http and https URLs with a host are, and, when the render
// context carries a link allowlist (WithLinkHosts), only those whose host
// is on it.
func linkable(ctx context.Context, raw string) bool { return linkRefusal(ctx, raw) == "" }
