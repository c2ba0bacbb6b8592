"""learnkit workers: scheduled jobs run by cron or pg_cron."""
