package handlers

import (
	"fmt"
	"github.com/meetboard/meetboard/models"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// queryNumbers reads the whole-number query parameters of an API request
// (limit, offset, before). An absent one reads as 0, which means the
// default; the first that is not a whole number from 0 is kept in err, so
// that the request is answered 400 naming it rather than served with a
// default the caller did not ask for.
type queryNumbers struct {
	c   *fiber.Ctx
	err error
}

// get returns the parameter name, or 0 when it is absent or wrong.
func (q *queryNumbers) get(name string) int {
	s := q.c.Query(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		if q.err == nil {
			q.err = fmt.Errorf("%s must be a whole number from 0, got %q", name, s)
		}
		return 0
	}
	return n
}

// fail answers 400 with the first wrong parameter, if there was one.
func (q *queryNumbers) fail() error {
	return fail(q.c, fiber.StatusBadRequest, q.err.Error())
}

// apiLimit is how many rows an API page holds: the limit asked for, at
// most models.MaxPageSize, pageSize when none was asked for.
func apiLimit(asked int) int {
	if limit := min(max(asked, 0), models.MaxPageSize); limit > 0 {
		return limit
	}
	return pageSize
}
