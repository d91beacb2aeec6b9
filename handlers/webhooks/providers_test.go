package webhooks_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/models"
)

// module is this repository's module path; a provider's package is
// module + "/handlers/webhooks/" + its name.
const module = "github.com/meetboard/meetboard"

// TestProvidersComplete checks every registered entry: it validates, its
// route is /webhooks/<name>, its folder is named after it and holds its
// fixtures, and Decode reaches its decoder.
func TestProvidersComplete(t *testing.T) {
	list := webhooks.Providers()
	if len(list) == 0 {
		t.Fatal("no providers registered")
	}
	if err := webhooks.Validate(list); err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		t.Run(p.Name, func(t *testing.T) {
			if p.Path() != "/webhooks/"+p.Name || p.Path() != webhooks.PathPrefix+p.Name {
				t.Errorf("route %q, want /webhooks/%s", p.Path(), p.Name)
			}
			if got, ok := webhooks.Find(list, p.Name); !ok || got.Name != p.Name {
				t.Errorf("Find(%q) = %q, %v", p.Name, got.Name, ok)
			}
			if fi, err := os.Stat(p.Name); err != nil || !fi.IsDir() {
				t.Errorf("no folder handlers/webhooks/%s: %v", p.Name, err)
			}
			var bodies []string
			filepath.WalkDir(filepath.Join(p.Name, "testdata"), func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
					bodies = append(bodies, path)
				}
				return nil
			})
			if len(bodies) == 0 {
				t.Fatalf("no fixtures in handlers/webhooks/%s/testdata", p.Name)
			}
			bodies = append(bodies, "") // and a body that is no delivery
			for _, path := range bodies {
				body := []byte("not json")
				if path != "" {
					body, _ = os.ReadFile(path)
				}
				want, wantErr := p.Decode(body)
				got, err := webhooks.Decode(p.Name, body)
				if !reflect.DeepEqual(got, want) || errText(err) != errText(wantErr) {
					t.Errorf("%s: webhooks.Decode differs from the provider's Decode: %v %v, want %v %v", path, got.Type, err, want.Type, wantErr)
				}
			}
			// An unset secret is never a verifier: Parse is only asked about
			// text, and whatever it builds must refuse a bare delivery.
			if v, err := p.Secret.Parse("x"); err == nil {
				if v == nil {
					t.Error("Parse gave neither a verifier nor an error")
				} else if v(bodiesOf(t, bodies[0]), func(string) string { return "" }, time.Now()) == nil {
					t.Error("a delivery with no headers passed verification")
				}
			}
		})
	}
	if _, err := webhooks.Decode("nobody", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), `no decoder for provider "nobody"`) {
		t.Errorf("unknown provider: %v", err)
	}
}

func bodiesOf(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestProvidersIsAFreshList: changing the returned list changes nothing
// anyone else sees.
func TestProvidersIsAFreshList(t *testing.T) {
	a := webhooks.Providers()
	name := a[0].Name
	a[0].Name, a[0].Decode = "changed", nil
	if b := webhooks.Providers(); b[0].Name != name || b[0].Decode == nil {
		t.Errorf("Providers shares its list: %q", b[0].Name)
	}
	if _, err := webhooks.Decode(name, []byte(`{}`)); err != nil && strings.Contains(err.Error(), "no decoder") {
		t.Errorf("Decode lost %s: %v", name, err)
	}
}

// fake is a well-formed provider that is not registered.
func fake(name string) webhooks.Provider {
	return webhooks.Provider{
		Name: name, Display: "Fake " + name,
		Decode: func([]byte) (models.Event, error) { return models.Event{Type: "fake"}, nil },
		Secret: webhooks.Secret{Env: strings.ToUpper(name) + "_TOKEN", Parse: func(string) (webhooks.Verifier, error) {
			return func([]byte, webhooks.Header, time.Time) error { return errors.New("no") }, nil
		}},
	}
}

func TestValidate(t *testing.T) {
	with := func(name string, change func(*webhooks.Provider)) webhooks.Provider {
		p := fake(name)
		change(&p)
		return p
	}
	if err := webhooks.Validate(append(webhooks.Providers(), fake("acme"))); err != nil {
		t.Errorf("registry plus a fake: %v", err)
	}
	for _, c := range []struct {
		list []webhooks.Provider
		want string
	}{
		{[]webhooks.Provider{fake("acme"), fake("acme")}, `provider "acme" is listed twice`},
		{[]webhooks.Provider{fake("Acme")}, "lower-case"},
		{[]webhooks.Provider{fake("")}, "lower-case"},
		{[]webhooks.Provider{fake("a/b")}, "lower-case"},
		{[]webhooks.Provider{with("acme", func(p *webhooks.Provider) { p.Display = "" })}, "no display name"},
		{[]webhooks.Provider{with("acme", func(p *webhooks.Provider) { p.Decode = nil })}, "no decoder"},
		{[]webhooks.Provider{with("acme", func(p *webhooks.Provider) { p.Secret.Parse = nil })}, "needs an environment variable and a Parse"},
		{[]webhooks.Provider{with("acme", func(p *webhooks.Provider) { p.Secret.Env = "" })}, "needs an environment variable and a Parse"},
		{[]webhooks.Provider{with("acme", func(p *webhooks.Provider) { p.Secret.FileFlag = "acme-file" })}, "both a flag and an environment variable"},
		{[]webhooks.Provider{fake("acme"), with("beta", func(p *webhooks.Provider) { p.Secret.Env = "ACME_TOKEN" })}, `environment variable ACME_TOKEN is provider "acme"'s too`},
		{[]webhooks.Provider{
			with("acme", func(p *webhooks.Provider) { p.Secret.FileFlag, p.Secret.FileEnv = "key-file", "ACME_FILE" }),
			with("beta", func(p *webhooks.Provider) { p.Secret.FileFlag, p.Secret.FileEnv = "key-file", "BETA_FILE" }),
		}, `flag key-file is provider "acme"'s too`},
	} {
		if err := webhooks.Validate(c.list); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error containing %q", c.list[len(c.list)-1].Name, err, c.want)
		}
	}
	for _, p := range webhooks.Providers() {
		clash := fake("acme")
		clash.Secret.Env = p.Secret.Env
		if err := webhooks.Validate(append(webhooks.Providers(), clash)); err == nil {
			t.Errorf("a fake reading %s, %s's variable, validates", p.Secret.Env, p.Name)
		}
	}
}

// TestOnlyTheRegistryImportsProviders keeps the registry the one place
// outside handlers/webhooks that knows the providers: no program file
// elsewhere imports a provider's package or spells its route, name or
// secret variable. The simulator and load generator make provider-specific
// payloads and may. Tests may too.
func TestOnlyTheRegistryImportsProviders(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	allowed := []string{"handlers/webhooks/", "cmd/simulate/", "cmd/loadgen/"}
	imports, literals := map[string]string{}, map[string]string{}
	for _, p := range webhooks.Providers() {
		imports[module+"/handlers/webhooks/"+p.Name] = p.Name
		literals[p.Name] = p.Name
		literals[p.Path()] = p.Name
		for _, s := range []string{p.Secret.Env, p.Secret.FileEnv, p.Secret.FileFlag} {
			if s != "" {
				literals[s] = p.Name
			}
		}
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		for _, a := range allowed {
			if strings.HasPrefix(rel, a) {
				return nil
			}
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		at := func(n ast.Node) string { return rel + ":" + strconv.Itoa(fset.Position(n.Pos()).Line) }
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if p, ok := imports[s]; ok {
				t.Errorf("%s imports %s's package: read the registry (webhooks.Providers) instead", rel, p)
			} else if p, ok := literals[s]; ok {
				t.Errorf("%s: %q names %s: read it from the registry (webhooks.Providers) instead", at(lit), s, p)
			} else if strings.Contains(s, webhooks.PathPrefix) {
				for _, p := range webhooks.Providers() {
					if strings.Contains(s, p.Path()) {
						t.Errorf("%s: %q spells %s's route: read it from the registry (Provider.Path) instead", at(lit), s, p.Name)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d files under %s", checked, root)
	}
}
