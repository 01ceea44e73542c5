package app

import "github.com/footingdev/footing/storage/jobs"

// JobsClient is the app's jobs client, for tests of its tenant-scoped API.
func (a *App) JobsClient() *jobs.Client { return a.jobs }
