package main

import (
	"context"
	"log/slog"
	"net"

	"github.com/meetboard/meetboard/models"
)

// prepareAccess creates the initial admin from the environment when named
// and missing, and reports whether the dashboard runs open: no operator
// account and no API token.
func prepareAccess(ctx context.Context, ops *models.Operators, cfg config, log *slog.Logger) (open bool, err error) {
	if cfg.AdminUser != "" {
		list, err := ops.List(ctx)
		if err != nil {
			return false, err
		}
		exists := false
		for _, o := range list {
			exists = exists || o.Username == cfg.AdminUser
		}
		if !exists {
			if err := ops.Add(ctx, cfg.AdminUser, cfg.AdminPassword); err != nil {
				return false, err
			}
			log.Info("created the initial operator from DASHBOARD_ADMIN_USER", "user", cfg.AdminUser)
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
