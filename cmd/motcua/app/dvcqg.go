package app

import (
	"context"
	"time"

	"github.com/motcua/motcua/dvcqgpush"
	"github.com/motcua/motcua/repository"
)

// addDVCQG gives the national portal's service its sync states and, when
// MOTCUA_DVCQG_URL is set, turns the marks on and builds the push worker
// (started by StartDVCQG, stopped by Close). While the push is off no sync
// state is written and every dossier shows not_synced.
func (a *App) addDVCQG() error {
	d := a.Config.DVCQG
	a.DVCQGMetrics = dvcqgpush.NewMetrics()
	store := repository.NewDVCQGSyncStore(a.DB, a.Sealer)
	a.DVCQG.UseSync(store, d.On(), a.Now)
	if !d.On() {
		return nil
	}
	if err := repository.UseDVCQGPush(a.DB, a.Now); err != nil {
		return err
	}
	a.DVCQGPush = dvcqgpush.New(dvcqgpush.Config{URL: string(d.URL), Username: string(d.Username),
		Password: string(d.Password), Interval: d.Interval, RetryBase: d.RetryBase, MaxAttempts: d.MaxAttempts,
		Timeout: d.Timeout}, store, a.DVCQG, a.DVCQGMetrics, a.Log, a.Now)
	return nil
}

// StartDVCQG starts the push worker (serve); without MOTCUA_DVCQG_URL it
// does nothing.
func (a *App) StartDVCQG(ctx context.Context) {
	if a.DVCQGPush != nil {
		a.DVCQGPush.Start(ctx)
		a.Log.Info("dvcqg push started", "interval", a.Config.DVCQG.Interval.String())
	}
}

// stopDVCQG stops the push worker, waiting for the push in flight until
// ctx ends (then at most a few seconds more while it is cut short).
func (a *App) stopDVCQG(ctx context.Context) error {
	if a.DVCQGPush == nil {
		return nil
	}
	stop, cancel := context.WithTimeout(ctx, a.Config.DVCQG.Timeout+5*time.Second)
	defer cancel()
	return a.DVCQGPush.Stop(stop)
}
