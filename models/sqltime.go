package models

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// sqlTime scans a time that SQLite gives back as text: the result of an
// aggregate or expression (MAX(at)) has no declared column type, so the
// driver does not turn it into a time.Time as it does a column. PostgreSQL
// gives a time.Time either way.
type sqlTime struct{ time.Time }

// sqliteTimeLayouts are the forms SQLite's driver writes times in.
var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"}

// Scan reads a time.Time, or text in one of sqliteTimeLayouts.
func (t *sqlTime) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time:
		t.Time = v
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("a time, got %T", src)
	}
	for _, layout := range sqliteTimeLayouts {
		if at, err := time.Parse(layout, text); err == nil {
			t.Time = at
			return nil
		}
	}
	return fmt.Errorf("a time, got %q", text)
}

// Value writes the time as it is, for GORM, which reads a type that scans
// as a column only if it also writes as one.
func (t sqlTime) Value() (driver.Value, error) { return t.Time, nil }
