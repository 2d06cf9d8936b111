package server

import (
	"context"

	"stoa/account"
	"stoa/bus"
	"stoa/site"
)

// openBus connects this node to the others (--nats) or, alone, builds the embedded bus
// that does nothing. Nodes find each other's events under the cluster id that the first
// of them stored in the shared database, so two communities on one NATS never mix.
func (a *App) openBus(ctx context.Context) error {
	opts := bus.Options{URL: a.cfg.NATSURL, Node: a.cfg.NodeName, Log: a.log}
	if a.cfg.NATSURL != "" {
		id, err := site.NewStore(a.db).ClusterID(ctx, account.NewToken()[:16])
		if err != nil {
			return err
		}
		opts.Cluster = id
	}
	b, err := bus.Open(opts)
	if err != nil {
		return err
	}
	a.bus = b
	// Closed last (closers run in reverse): what chat and the caches publish while they
	// stop still goes out.
	a.closers = append(a.closers, b.Close)
	if a.gen, err = b.Generation(a.db.Generation); err != nil {
		return err
	}
	a.closers = append(a.closers, a.gen.Close)
	return nil
}
