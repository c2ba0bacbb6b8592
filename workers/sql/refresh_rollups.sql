-- SQL of workers.refresh_rollups.

-- name: refresh
-- Folds the events ingested since the watermark (or, full_rebuild, all events) into the daily rollups.
select analytics.refresh_rollups(%(full_rebuild)s) as written;
