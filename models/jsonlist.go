package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSONList is a list stored as a JSON text column.
type JSONList[T any] []T

// Value encodes the list as JSON; an empty list is stored as "[]".
func (l JSONList[T]) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]T(l))
	return string(b), err
}

// Scan decodes a JSON text column.
func (l *JSONList[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("JSONList: cannot scan %T", src)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("JSONList: %w", err)
	}
	*l = out
	return nil
}

// MarshalJSON writes an empty list as [] rather than null.
func (l JSONList[T]) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]T(l))
}
