package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Exports stream whole lists, and a meeting's attendance, as CSV (or JSON):
// the handler checks the request and returns; the body is then written
// page by page as the store reads it (fasthttp's body stream writer),
// each page flushed to the client before the next is read, so an export
// holds one page in memory however many rows it has. The rows are read by
// a cursor in an order no change moves (see models.ListFilter.BySeen), so
// a row changing during an export is neither missed nor repeated.

// exportPageRows is how many rows an export reads at a time.
const exportPageRows = 500

// exportEventRows is how many events an export of the event log reads at
// a time: each carries its body, up to the body limit, as a page of the
// event log does.
const exportEventRows = 50

// exportsAtOnce bounds the exports one instance streams at once: each
// reads the database page after page, sharing its connections with the
// webhooks. More are answered 429 with Retry-After.
const exportsAtOnce = 4

// exportWriteTimeout is how long the client may take to receive one page
// of an export; the server's write timeout would otherwise bound the
// whole export.
const exportWriteTimeout = 30 * time.Second

// errClientGone ends an export whose client stopped reading or went away.
var errClientGone = errors.New("the client went away")

// exporter streams exports, at most exportsAtOnce at a time.
type exporter struct {
	h     *Handler
	slots chan struct{}
}

func newExporter(h *Handler) *exporter {
	return &exporter{h: h, slots: make(chan struct{}, exportsAtOnce)}
}

// routes registers the exports: each list's CSV (/<kind>.csv, see
// listExports) and a meeting's attendance as CSV and JSON. The CSVs are
// linked from pages, so they send a browser to sign in as pages do, and
// they take API tokens as the API does.
func (x *exporter) routes(app *fiber.App, api, download fiber.Handler) {
	for kind := range listExports() {
		app.Get("/"+kind+".csv", download, x.listCSV(kind))
	}
	app.Get("/meetings/:meetingId/attendance.csv", download, x.attendanceCSV)
	app.Get("/api/meetings/:meetingId/attendance", api, x.apiAttendance)
}

// stream answers the request with a body that write produces after the
// handler returns, on the server's context (it ends with the server). A
// failure part way, once the answer has begun, is logged and the
// connection closed, so the client sees a download cut short rather than
// a complete-looking one. Nothing of c may be used inside write: copy what
// it needs first.
func (x *exporter) stream(c *fiber.Ctx, contentType, filename string, write func(ctx context.Context, w *exportWriter) error) error {
	select {
	case x.slots <- struct{}{}:
	default:
		c.Set(fiber.HeaderRetryAfter, "5")
		return fail(c, fiber.StatusTooManyRequests, "too many exports at once; retry in a few seconds")
	}
	conn := c.Context().Conn()
	path := strings.Clone(c.Path())
	ctx, log := x.h.ctx, x.h.log
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if filename != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	}
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		defer func() { <-x.slots }()
		w := &exportWriter{bw: bw, conn: conn}
		err := write(ctx, w)
		if err == nil {
			err = w.flush()
		}
		switch {
		case errors.Is(err, errClientGone):
			log.Debug("export stopped: the client went away", "path", path)
		case err != nil:
			log.Error("export failed part way; its connection is closed", "path", path, "err", err)
			conn.Close()
		}
	})
	return nil
}

// exportWriter is where an export writes its body.
type exportWriter struct {
	bw   *bufio.Writer
	conn net.Conn
}

// Write buffers p, sending what fills the buffer; it fails with
// errClientGone once the client is gone.
func (w *exportWriter) Write(p []byte) (int, error) {
	n, err := w.bw.Write(p)
	if err != nil {
		return n, errClientGone
	}
	return n, nil
}

// flush sends what was written to the client and gives it another
// exportWriteTimeout to take the next page. It returns errClientGone once
// the client is gone.
func (w *exportWriter) flush() error {
	if err := w.bw.Flush(); err != nil {
		return errClientGone
	}
	if w.conn != nil {
		w.conn.SetWriteDeadline(time.Now().Add(exportWriteTimeout))
	}
	return nil
}

// csvOut writes an export as CSV: UTF-8, led by a byte-order mark (so
// spreadsheets read it as UTF-8) and a header row, every cell made safe
// to open in a spreadsheet (safeCell).
type csvOut struct {
	w     *exportWriter
	cw    *csv.Writer
	cells []string
}

// newCSV starts a CSV export with its header row.
func newCSV(w *exportWriter, header ...string) (*csvOut, error) {
	o := &csvOut{w: w, cw: csv.NewWriter(w)}
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return nil, err
	}
	return o, o.row(header...)
}

// row writes one row. Bytes that are not UTF-8 (a stored body may hold
// any) become U+FFFD.
func (o *csvOut) row(cells ...string) error {
	o.cells = o.cells[:0]
	for _, c := range cells {
		o.cells = append(o.cells, safeCell(strings.ToValidUTF8(c, "\uFFFD")))
	}
	return o.cw.Write(o.cells)
}

// flush sends the rows written so far (see exportWriter.flush).
func (o *csvOut) flush() error {
	o.cw.Flush()
	if err := o.cw.Error(); err != nil {
		return errClientGone
	}
	return o.w.flush()
}

// safeCell keeps a cell from being taken for a formula when the CSV is
// opened in a spreadsheet (CSV injection): a cell that begins with =, +,
// -, @, a tab or a carriage return gets an apostrophe in front, which
// spreadsheets show as text.
func safeCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// jsonOut writes a JSON array an item at a time, inside the object its
// opening and closing text make.
type jsonOut struct {
	w     *exportWriter
	items int
}

// item writes one element of the array.
func (o *jsonOut) item(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if o.items > 0 {
		o.w.Write([]byte{','})
	}
	o.items++
	_, err = o.w.Write(b)
	return err
}

// walk reads rows page by page until a page comes back short: read reads
// the page after the last row it was told of (next), emit writes a row,
// and flush sends each page before the next is read.
func walk[T any](ctx context.Context, read func(ctx context.Context) ([]T, error), limit int, next func(last T), emit func(T) error, flush func() error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := read(ctx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if len(rows) < limit {
			return nil
		}
		next(rows[len(rows)-1])
	}
}

// utc writes a time for an export: UTC to the second, as spreadsheets
// read it; "" for none.
func utc(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
