package main

import (
	"context"
	"errors"
	"log/slog"
	"net"

	"github.com/meetboard/meetboard/models"
)

// prepareAccess creates the initial admin from the environment when named
// and missing, and reports whether the dashboard runs open: no operator
// account and no API token.
func prepareAccess(ctx context.Context, ops *models.Operators, cfg config, log *slog.Logger) (open bool, err error) {
	if cfg.AdminUser != "" && !named(ctx, ops, cfg.AdminUser) {
		// Instances starting together may both create it: the loser finds
		// it made.
		switch err := ops.Add(ctx, cfg.AdminUser, cfg.AdminPassword); {
		case err == nil:
			log.Info("created the initial operator from DASHBOARD_ADMIN_USER", "user", cfg.AdminUser)
		case !errors.Is(err, models.ErrExists):
			return false, err
		}
	}
	operators, tokens, err := ops.Count(ctx)
	return operators == 0 && tokens == 0 && cfg.APIToken == "", err
}

// loopback reports whether a listen address only takes connections from
// this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// named reports whether an operator of that name exists (false when the
// database cannot say: adding will then tell).
func named(ctx context.Context, ops *models.Operators, name string) bool {
	list, _ := ops.List(ctx)
	for _, o := range list {
		if o.Username == name {
			return true
		}
	}
	return false
}
