-- SQL of workers.maintain_partitions.

-- name: create_partitions
-- From the month before `now` (late events) to `months_ahead` months after it, in UTC months.
select private.create_monthly_partitions(
  %(table_name)s::regclass,
  ((%(now)s::timestamptz at time zone 'UTC') - interval '1 month')::date,
  %(months_ahead)s + 2
) as created;
