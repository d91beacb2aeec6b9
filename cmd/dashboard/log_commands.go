package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/meetboard/meetboard/models"
)

// isLogCommand reports whether args name an event log command.
func isLogCommand(args []string) bool {
	return len(args) > 0 && (args[0] == "rebuild" || args[0] == "reapply")
}

// runLogCommand runs an event log command on the store. A rebuild prints
// its progress until the models have caught up with the log; a dashboard
// running on the same database goes on accepting webhooks meanwhile, and
// either's projector does the work.
func runLogCommand(ctx context.Context, store *models.Store, args []string, stdout io.Writer) error {
	switch {
	case args[0] == "rebuild" && len(args) == 1:
		lag, err := store.Lag(ctx)
		if err != nil {
			return err
		}
		total, err := store.StartRebuild(ctx)
		if err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
		start := time.Now()
		fmt.Fprintf(stdout, "rebuilding the models from %d events (%d were waiting before)\n", total, lag.Events)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return fmt.Errorf("rebuild interrupted; the projector goes on from where it is: %w", ctx.Err())
			case <-tick.C:
			}
			now, err := store.Lag(ctx)
			if err != nil {
				return err
			}
			done := max(total-now.Events, 0)
			rate := float64(done) / time.Since(start).Seconds()
			fmt.Fprintf(stdout, "  applied %d of %d events (%.0f a second)\n", done, total, rate)
			if now.Events == 0 {
				fmt.Fprintf(stdout, "rebuilt in %v\n", time.Since(start).Round(time.Millisecond))
				return nil
			}
		}
	case args[0] == "reapply" && len(args) == 2:
		id, err := strconv.ParseUint(args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("reapply: %q is not an event id\n%s", args[1], adminUsage)
		}
		out, err := store.Reapply(ctx, id)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return fmt.Errorf("reapply: no event %d in the log", id)
		case errors.Is(err, models.ErrNotApplied):
			return fmt.Errorf("reapply: event %d is not applied yet; the projector will apply it", id)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "event %d applied again: %s\n", id, out.Outcome)
		return nil
	}
	return errors.New(adminUsage)
}
