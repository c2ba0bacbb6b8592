-- SQL of workers.retention: the data lifecycle's retention jobs.

-- name: lifecycle_settings
select session_details_kept_for, sessions_archived_after, archives_anonymised_after, chats_expire_after,
       learning_events_kept_for, nudge_after_inactive, archive_bucket
from private.lifecycle_settings;

-- name: cutoffs
-- The windows as instants before `now`, with calendar arithmetic (a month is a month, not 30 days).
select %(now)s::timestamptz - session_details_kept_for as details_cutoff,
       %(now)s::timestamptz - sessions_archived_after as archive_cutoff,
       %(now)s::timestamptz - archives_anonymised_after as anonymise_cutoff,
       %(now)s::timestamptz - chats_expire_after as chats_cutoff,
       %(now)s::timestamptz - learning_events_kept_for as events_cutoff,
       archive_bucket
from private.lifecycle_settings;

-- name: strip_session_details
select private.strip_session_details(%(now)s) as written;

-- name: expire_chat_sessions
select private.expire_chat_sessions(%(now)s) as written;

-- name: session_months_to_archive
-- UTC months holding sessions past the archive window, of learners who did not opt in to keep their history.
select distinct date_trunc('month', s.started_at at time zone 'UTC')::date as month
from public.learning_sessions s
where s.started_at < %(cutoff)s
  and not exists (select from public.user_settings u where u.user_id = s.user_id and u.keep_practice_history)
order by month;

-- name: count_sessions_to_archive
select count(*) as sessions
from public.learning_sessions s
where s.started_at >= (%(month)s::date::timestamp at time zone 'UTC')
  and s.started_at < ((%(month)s::date + interval '1 month')::timestamp at time zone 'UTC')
  and s.started_at < %(cutoff)s
  and not exists (select from public.user_settings u where u.user_id = s.user_id and u.keep_practice_history);

-- name: sessions_to_archive
-- One batch of one month, locked until the transaction ends, each session as the JSON line its archive
-- holds: the row, its answer attempts and its generated exercises (both go with it: on delete cascade).
select s.id,
       (case when %(anonymise)s then private.anonymised_session(archived.line) else archived.line end)::text
         as line
from public.learning_sessions s
cross join lateral (
  select to_jsonb(s) || jsonb_build_object(
    'answer_attempts', coalesce((select jsonb_agg(to_jsonb(a) order by a.answered_at, a.id)
                                 from public.answer_attempts a where a.session_id = s.id), '[]'::jsonb),
    'exercise_generations', coalesce((select jsonb_agg(to_jsonb(g) order by g.id)
                                      from public.exercise_generations g where g.learning_session_id = s.id),
                                     '[]'::jsonb)) as line
) as archived
where s.started_at >= (%(month)s::date::timestamp at time zone 'UTC')
  and s.started_at < ((%(month)s::date + interval '1 month')::timestamp at time zone 'UTC')
  and s.started_at < %(cutoff)s
  and not exists (select from public.user_settings u where u.user_id = s.user_id and u.keep_practice_history)
order by s.id
limit %(batch_size)s
for update of s;

-- name: record_archive
insert into private.archived_objects (dataset, period_month, target, location, object_key, row_count, byte_size,
                                      sha256, anonymised_at)
values (%(dataset)s, %(month)s, %(target)s, %(location)s, %(object_key)s, %(row_count)s, %(byte_size)s,
        %(sha256)s, %(anonymised_at)s)
on conflict (target, location, object_key) do nothing
returning id;

-- name: delete_sessions
delete from public.learning_sessions where id = any(%(ids)s::uuid[]);

-- name: archives_to_anonymise
select id, target, location, object_key, sha256, period_month
from private.archived_objects
where dataset = 'learning_sessions' and anonymised_at is null
  and ((period_month + interval '1 month') at time zone 'UTC') <= %(anonymise_cutoff)s::timestamptz
order by period_month, id
for update;

-- name: anonymise_lines
-- Lines of learners who opted in (since) to keep their practice history stay as they are.
select case
         when exists (select from public.user_settings u
                      where u.user_id = (line::jsonb ->> 'user_id')::uuid and u.keep_practice_history)
           then line::jsonb
         else private.anonymised_session(line::jsonb)
       end::text as line
from unnest(%(lines)s::text[]) with ordinality as lines (line, position)
order by position;

-- name: replace_archive
update private.archived_objects
set object_key = %(object_key)s, byte_size = %(byte_size)s, sha256 = %(sha256)s, anonymised_at = %(now)s,
    superseded_key = %(superseded_key)s
where id = %(id)s;

-- name: superseded_archives
select id, target, location, superseded_key from private.archived_objects
where superseded_key is not null
for update;

-- name: clear_superseded
update private.archived_objects set superseded_key = null where id = %(id)s;

-- name: refresh_rollups
-- Folds every committed event into the daily rollups first, so what retention deletes is aggregated.
select analytics.refresh_rollups(false) as written;

-- name: event_partitions_past_retention
-- Monthly partitions of learning_events whose upper bound is at or before the cutoff.
select n.nspname as schema_name, child.relname,
       to_date(right(child.relname, 7), 'YYYY"m"MM') as month
from pg_catalog.pg_inherits i
join pg_catalog.pg_class child on child.oid = i.inhrelid
join pg_catalog.pg_namespace n on n.oid = child.relnamespace
where i.inhparent = 'public.learning_events'::regclass
  and child.relname ~ '_y\d{4}m\d{2}$'
  and (to_date(right(child.relname, 7), 'YYYY"m"MM') + interval '1 month')
      <= (%(cutoff)s::timestamptz at time zone 'UTC')
order by month;

-- name: event_months_past_retention
-- Months holding events past the cutoff in partitions that are not wholly past it.
select distinct date_trunc('month', occurred_at at time zone 'UTC')::date as month
from public.learning_events
where occurred_at < %(cutoff)s
order by month;

-- name: events_to_archive
-- The next batch (keyset) of one month's aggregated events past the cutoff, as JSON lines.
select e.id, e.occurred_at, to_jsonb(e)::text as line
from public.learning_events e
where (e.occurred_at, e.id) > (%(after_at)s::timestamptz, %(after_id)s::bigint)
  and e.occurred_at >= (%(month)s::date::timestamp at time zone 'UTC')
  and e.occurred_at < least(%(cutoff)s::timestamptz,
                            (%(month)s::date + interval '1 month')::timestamp at time zone 'UTC')
  and pg_catalog.pg_visible_in_snapshot(
        e.ingest_xid, (select snapshot from analytics.rollup_watermarks where name = 'daily'))
order by e.occurred_at, e.id
limit %(batch_size)s
for update;

-- name: count_events_to_archive
select count(*) filter (where pg_catalog.pg_visible_in_snapshot(
                          e.ingest_xid, (select snapshot from analytics.rollup_watermarks where name = 'daily')))
         as aggregated,
       count(*) as total
from public.learning_events e
where e.occurred_at >= (%(month)s::date::timestamp at time zone 'UTC')
  and e.occurred_at < least(%(cutoff)s::timestamptz,
                            (%(month)s::date + interval '1 month')::timestamp at time zone 'UTC');

-- name: delete_events
delete from public.learning_events e
using unnest(%(ids)s::bigint[], %(occurred_at)s::timestamptz[]) as gone (id, occurred_at)
where e.id = gone.id and e.occurred_at = gone.occurred_at;


-- name: mark_events_retired
-- Events before the cutoff may now be gone: a full rollup rebuild keeps the rollups of their days.
update analytics.rollup_watermarks
set retired_before = greatest(retired_before, %(cutoff)s::timestamptz)
where name = 'daily';
