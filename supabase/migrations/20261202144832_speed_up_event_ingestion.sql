-- speed up event ingestion
--
-- public.record_learning_events is faster (issue 17's 50,000 events/s in batches of 500; docs/performance.md,
-- "Learning-event ingestion"), with the same rules and messages:
-- - private.record_learning_events matches the event id and time patterns once for the whole batch (the values
--   joined by newlines) rather than once per event; only a batch that fails matches them event by event, to
--   name the first bad one.
-- - private.insert_ingested_events gains `skip_duplicates`: the batch is inserted plainly first, and again with
--   `on conflict do nothing` only when an event is already stored (unique_violation). The four-argument
--   function is dropped: only private.record_learning_events called it.
-- - The event-time triggers of learning_events and analytics_events run their function only for a row it would
--   change or refuse (WHEN: received_at not now(), occurred_at out of range); the function is unchanged.
-- - Each event table's unique idempotency index becomes (user_id, occurred_at, client_event_id), which also
--   serves a user's events by time and the user_id foreign key: the (user_id, occurred_at) index is dropped.
--
-- Written from `learnkit db diff` output, by hand where it could not be kept: the unique indexes are not
-- `on only` (what db diff wrote): they must reach every existing monthly partition, or the parent's stays
-- invalid and resent events are stored twice; they are created before the indexes they replace are dropped.
-- `concurrently` is impossible on a partitioned table (and in a migration's transaction): the build blocks
-- writes to the events of the retention window while it runs. On a big production table build each index per
-- partition first (`create unique index concurrently` on each partition, same columns), then these statements
-- attach them without rebuilding.

set local lock_timeout = '5s';

-- squawk-ignore require-concurrent-index-creation
create unique index analytics_events_user_event_idx on public.analytics_events using btree (
    user_id, occurred_at, client_event_id
);

-- squawk-ignore require-concurrent-index-creation
create unique index learning_events_user_event_idx on public.learning_events using btree (
    user_id, occurred_at, client_event_id
);

-- squawk-ignore require-concurrent-index-deletion
drop index if exists public.analytics_events_client_event_id_idx;

-- squawk-ignore require-concurrent-index-deletion
drop index if exists public.analytics_events_user_id_idx;

-- squawk-ignore require-concurrent-index-deletion
drop index if exists public.learning_events_client_event_id_idx;

-- squawk-ignore require-concurrent-index-deletion
drop index if exists public.learning_events_user_id_idx;

drop trigger if exists analytics_events_check_event_time on public.analytics_events;

drop trigger if exists learning_events_check_event_time on public.learning_events;

-- Safe to drop in place: only private.record_learning_events calls it (replaced below, in this transaction),
-- and the schema is not exposed by the API.
-- squawk-ignore ban-drop-function
drop function if exists private.insert_ingested_events(
    events jsonb, actor uuid, first_index integer, last_index integer
);

set local check_function_bodies = off;

create or replace function private.insert_ingested_events(
    events jsonb, actor uuid, first_index integer, last_index integer, skip_duplicates boolean
)
 returns integer
 language plpgsql
 set search_path to ''
as $function$
declare
  stored integer;
begin
  -- plpgsql rather than sql: its statements' plans are cached for the session, a sql function's made per call.
  -- Two statements, the same but for `on conflict do nothing`: a plain insert checks the unique
  -- (user_id, occurred_at, client_event_id) index as it inserts, where `on conflict` first probes it for every
  -- row, then inserts speculatively (about a tenth of the insert's time). The caller inserts plainly first; only
  -- a batch holding an event already stored (unique_violation) is inserted again, skipping duplicates.
  if not skip_duplicates then
    with item as (
      select (t.position - 1)::integer as index, t.event
      from jsonb_array_elements(events) with ordinality as t (event, position)
      where t.position - 1 between first_index and last_index
    ),
    learning as (
      -- The parent routes each row to its month's partition.
      insert into public.learning_events (
        user_id, organization_id, event_type, mode, session_id, course_id, is_correct, response_ms,
        active_seconds, score, mastery_score, xp, payload, device_info, occurred_at, client_event_id)
      select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
        i.event ->> 'event_type', coalesce(i.event ->> 'mode', 'practice'), (i.event ->> 'session_id')::uuid,
        (i.event ->> 'course_id')::uuid, (i.event ->> 'is_correct')::boolean, (i.event ->> 'response_ms')::integer,
        coalesce((i.event ->> 'active_seconds')::integer, 0), (i.event ->> 'score')::numeric,
        (i.event ->> 'mastery_score')::numeric, coalesce((i.event ->> 'xp')::integer, 0),
        coalesce(nullif(i.event -> 'payload', 'null'), '{}'), nullif(i.event -> 'device_info', 'null'),
        (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
      from item as i
      where coalesce(i.event ->> 'stream', 'learning') = 'learning'
      order by i.index
      returning 1
    ),
    telemetry as (
      insert into public.analytics_events (
        user_id, organization_id, session_id, event_type, event_data, duration_seconds, occurred_at, client_event_id)
      select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
        (i.event ->> 'session_id')::uuid, i.event ->> 'event_type',
        coalesce(nullif(i.event -> 'event_data', 'null'), '{}'), coalesce((i.event ->> 'duration_seconds')::integer, 0),
        (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
      from item as i
      where i.event ->> 'stream' = 'analytics'
      order by i.index
      returning 1
    )
    select ((select count(*) from learning) + (select count(*) from telemetry))::integer into stored;
    return stored;
  end if;
  with item as (
    select (t.position - 1)::integer as index, t.event
    from jsonb_array_elements(events) with ordinality as t (event, position)
    where t.position - 1 between first_index and last_index
  ),
  learning as (
    -- The parent routes each row to its month's partition; `on conflict do nothing` skips an event whose
    -- (user_id, occurred_at, client_event_id) is already stored: a resent event.
    insert into public.learning_events (
      user_id, organization_id, event_type, mode, session_id, course_id, is_correct, response_ms,
      active_seconds, score, mastery_score, xp, payload, device_info, occurred_at, client_event_id)
    select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
      i.event ->> 'event_type', coalesce(i.event ->> 'mode', 'practice'), (i.event ->> 'session_id')::uuid,
      (i.event ->> 'course_id')::uuid, (i.event ->> 'is_correct')::boolean, (i.event ->> 'response_ms')::integer,
      coalesce((i.event ->> 'active_seconds')::integer, 0), (i.event ->> 'score')::numeric,
      (i.event ->> 'mastery_score')::numeric, coalesce((i.event ->> 'xp')::integer, 0),
      coalesce(nullif(i.event -> 'payload', 'null'), '{}'), nullif(i.event -> 'device_info', 'null'),
      (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
    from item as i
    where coalesce(i.event ->> 'stream', 'learning') = 'learning'
    order by i.index
    on conflict do nothing
    returning 1
  ),
  telemetry as (
    insert into public.analytics_events (
      user_id, organization_id, session_id, event_type, event_data, duration_seconds, occurred_at, client_event_id)
    select coalesce((i.event ->> 'user_id')::uuid, actor), (i.event ->> 'organization_id')::uuid,
      (i.event ->> 'session_id')::uuid, i.event ->> 'event_type',
      coalesce(nullif(i.event -> 'event_data', 'null'), '{}'), coalesce((i.event ->> 'duration_seconds')::integer, 0),
      (i.event ->> 'occurred_at')::timestamptz, (i.event ->> 'event_id')::uuid
    from item as i
    where i.event ->> 'stream' = 'analytics'
    order by i.index
    on conflict do nothing
    returning 1
  )
  select ((select count(*) from learning) + (select count(*) from telemetry))::integer into stored;
  return stored;
end
$function$;

create or replace function private.record_learning_events(events jsonb)
 returns table(recorded integer, duplicates integer)
 language plpgsql
 security definer
 set search_path to ''
as $function$
declare
  caller uuid := auth.uid();  -- read once: it parses the request's JWT claims
  limits private.event_ingest_limits;
  oldest timestamptz;
  member_orgs uuid[];
  total integer;
  stored integer;
  sent integer;
  bad_index integer;
  bad_event_id text;
  bad_problem text;
  ids_match boolean;
  times_match boolean;
  by_rows boolean := false;
  learning_keys constant text[] := array[
    'event_id', 'stream', 'event_type', 'occurred_at', 'user_id', 'organization_id', 'session_id', 'course_id',
    'mode', 'is_correct', 'response_ms', 'active_seconds', 'score', 'mastery_score', 'xp', 'payload',
    'device_info'];
  analytics_keys constant text[] := array[
    'event_id', 'stream', 'event_type', 'occurred_at', 'user_id', 'organization_id', 'session_id', 'event_data',
    'duration_seconds'];
  learning_types constant text[] := array[
    'session_started', 'session_completed', 'answer', 'lesson_completed', 'assessment_completed',
    'concept_viewed', 'concept_mastered', 'exercise_completed', 'exercise_mastered',
    'fact_reviewed', 'fact_learned', 'fact_mastered', 'remediation_started'];
  uuid_form constant text := '[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}';
  time_form constant text :=
    '[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]'
    '(?::[0-5][0-9](?:\.[0-9]{1,6})?)?(?:Z|z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)';
  uuid_pattern constant text := '^' || uuid_form || '$';
  time_pattern constant text := '^' || time_form || '$';
  nothing_stored constant text :=
    'Nothing of this batch was stored. Fix or drop that event and resend the batch: events already stored '
    'are skipped by their event_id.';
begin
  if caller is null and coalesce(auth.role(), 'service_role') <> 'service_role' then
    raise exception using errcode = '42501', message = 'sign in to record learning events';
  end if;
  select * into strict limits from private.event_ingest_limits;
  -- ---------------------------------------------------------------- the whole batch: shape and size
  if events is null or jsonb_typeof(events) <> 'array' then
    raise exception using errcode = '22023', message = 'events must be a JSON array of event objects';
  end if;
  total := jsonb_array_length(events);
  if total > limits.max_events_per_call then
    raise exception using errcode = '22023',
      message = format('events holds %s events; a call may send at most %s', total, limits.max_events_per_call),
      hint = 'Split the batch.';
  end if;
  if octet_length(events::text) > limits.max_batch_bytes then
    raise exception using errcode = '22023',
      message = format('events is %s bytes of JSON; a call may send at most %s', octet_length(events::text),
                       limits.max_batch_bytes),
      hint = 'Split the batch.';
  end if;
  if total = 0 then
    return query select 0, 0;
    return;
  end if;
  -- Learners' devices sync at most a week late (as private.trigger_check_event_time enforces); the server may
  -- record anything still inside the retention window.
  oldest := now() - case when caller is null
                         then (select s.learning_events_kept_for from private.lifecycle_settings s)
                         else interval '7 days' end;
  if caller is not null then
    member_orgs := array(select private.member_org_ids());
  end if;
  -- The two patterns every event must match, matched once for the whole batch: each regex match builds its own
  -- automaton, so one match over all the batch's event ids (or times) joined by newlines costs about a tenth of
  -- a match per event. A join matches only if every value does: neither form matches a newline, and the count
  -- of lines (for ids, of characters: a UUID has 36), with every event's value present, shows that no value
  -- held a newline of its own. When a join does not match, the checks below match value by value, to name the
  -- first bad event.
  select coalesce(j.ids_counted = total and length(j.ids) = 37 * total - 1
                  and j.ids ~ ('^(?:' || uuid_form || E'\n)*' || uuid_form || '$'), false),
         coalesce(j.times_counted = total and length(j.times) - length(replace(j.times, E'\n', '')) = total - 1
                  and j.times ~ ('^(?:' || time_form || E'\n)*' || time_form || '$'), false)
    into ids_match, times_match
  from (select string_agg(t.event ->> 'event_id', E'\n') as ids, count(t.event ->> 'event_id') as ids_counted,
               string_agg(t.event ->> 'occurred_at', E'\n') as times,
               count(t.event ->> 'occurred_at') as times_counted
        from jsonb_array_elements(events) as t (event)) as j;

  -- ---------------------------------------------------------------- each event, in one pass: the first bad one
  begin
    select c.index, c.event_id, c.problem into bad_index, bad_event_id, bad_problem
    from (
      select i.index,
        case when jsonb_typeof(i.event -> 'event_id') = 'string'
                  and (ids_match or i.event ->> 'event_id' ~ uuid_pattern)
             then i.event ->> 'event_id' end as event_id,
        case
          when jsonb_typeof(i.event) is distinct from 'object' then 'is not a JSON object'
          when i.stream not in ('learning', 'analytics') then 'stream must be "learning" or "analytics"'
          when i.event - case i.stream when 'learning' then learning_keys else analytics_keys end <> '{}'
            then format('unknown field(s) for a %s event: %s', i.stream, left(array_to_string(array(
                   select jsonb_object_keys(i.event - case i.stream when 'learning' then learning_keys
                                                                    else analytics_keys end)), ', '), 200))
          when jsonb_typeof(i.event -> 'event_id') is distinct from 'string'
               or not (ids_match or i.event ->> 'event_id' ~ uuid_pattern)
            then 'event_id must be a UUID: the id the device gave this event'
          when jsonb_typeof(i.event -> 'event_type') is distinct from 'string' then 'event_type must be a string'
          when i.stream = 'learning' and not (i.event ->> 'event_type' = any (learning_types))
            then format('unknown learning event type %s', left(i.event ->> 'event_type', 64))
          when i.stream = 'analytics' and i.event ->> 'event_type' !~ '^[a-z][a-z0-9_.]{1,63}$'
            then 'event_type of an analytics event must match ^[a-z][a-z0-9_.]{1,63}$'
          when jsonb_typeof(i.event -> 'occurred_at') is distinct from 'string'
               or not (times_match or i.event ->> 'occurred_at' ~ time_pattern)
            then 'occurred_at must be an ISO 8601 time with its UTC offset, e.g. 2026-12-02T08:30:00Z'
          when (i.event ->> 'occurred_at')::timestamptz > now() + interval '5 minutes'
            then format('occurred_at %s is in the future', i.event ->> 'occurred_at')
          when (i.event ->> 'occurred_at')::timestamptz < oldest
            then format('occurred_at %s is older than %s', i.event ->> 'occurred_at',
                        case when caller is null then 'the retention window (learning_events_kept_for)'
                             else '7 days: devices may sync at most a week late' end)
          when caller is null and i.event ->> 'user_id' is null
            then 'user_id is required when the server records events'
          when coalesce(jsonb_typeof(i.event -> 'user_id'), 'null') not in ('null', 'string')
               or i.event ->> 'user_id' !~ uuid_pattern then 'user_id must be a UUID'
          when caller is not null and (i.event ->> 'user_id')::uuid <> caller
            then 'user_id must be your own: you may record only your own events'
          when coalesce(jsonb_typeof(i.event -> 'organization_id'), 'null') not in ('null', 'string')
               or i.event ->> 'organization_id' !~ uuid_pattern then 'organization_id must be a UUID'
          when caller is not null and i.event ->> 'organization_id' is not null
               and not (i.event ->> 'organization_id')::uuid = any (member_orgs)
            then 'organization_id is not an organization you belong to'
          when coalesce(jsonb_typeof(i.event -> 'session_id'), 'null') not in ('null', 'string')
               or i.event ->> 'session_id' !~ uuid_pattern then 'session_id must be a UUID'
          when coalesce(jsonb_typeof(i.event -> 'course_id'), 'null') not in ('null', 'string')
               or i.event ->> 'course_id' !~ uuid_pattern then 'course_id must be a UUID'
          when coalesce(jsonb_typeof(i.event -> 'mode'), 'null') not in ('null', 'string')
            then 'mode must be a string'
          when coalesce(jsonb_typeof(i.event -> 'is_correct'), 'null') not in ('null', 'boolean')
            then 'is_correct must be true or false'
          when coalesce(jsonb_typeof(i.event -> 'response_ms'), 'null') not in ('null', 'number')
            then 'response_ms must be a number'
          when coalesce(jsonb_typeof(i.event -> 'active_seconds'), 'null') not in ('null', 'number')
            then 'active_seconds must be a number'
          when coalesce(jsonb_typeof(i.event -> 'duration_seconds'), 'null') not in ('null', 'number')
            then 'duration_seconds must be a number'
          when coalesce(jsonb_typeof(i.event -> 'score'), 'null') not in ('null', 'number')
            then 'score must be a number'
          when coalesce(jsonb_typeof(i.event -> 'mastery_score'), 'null') not in ('null', 'number')
            then 'mastery_score must be a number'
          when coalesce(jsonb_typeof(i.event -> 'xp'), 'null') not in ('null', 'number')
            then 'xp must be a number'
          when caller is not null and coalesce((i.event ->> 'xp')::numeric, 0) <> 0
            then 'xp is awarded by the server: leave it out'
          when coalesce(jsonb_typeof(i.event -> 'payload'), 'null') not in ('null', 'object')
            then 'payload must be a JSON object'
          when coalesce(jsonb_typeof(i.event -> 'device_info'), 'null') not in ('null', 'object')
            then 'device_info must be a JSON object'
          when coalesce(jsonb_typeof(i.event -> 'event_data'), 'null') not in ('null', 'object')
            then 'event_data must be a JSON object'
          when octet_length((i.event -> 'payload')::text) > limits.max_object_bytes
            then format('payload is %s bytes of JSON, over %s', octet_length((i.event -> 'payload')::text),
                        limits.max_object_bytes)
          when octet_length((i.event -> 'device_info')::text) > limits.max_object_bytes
            then format('device_info is %s bytes of JSON, over %s',
                        octet_length((i.event -> 'device_info')::text), limits.max_object_bytes)
          when octet_length((i.event -> 'event_data')::text) > limits.max_object_bytes
            then format('event_data is %s bytes of JSON, over %s', octet_length((i.event -> 'event_data')::text),
                        limits.max_object_bytes)
        end as problem
      from (
        select (t.position - 1)::integer as index, t.event,
          coalesce(case when jsonb_typeof(t.event) = 'object' then t.event ->> 'stream' end, 'learning') as stream
        from jsonb_array_elements(events) with ordinality as t (event, position)
      ) as i
    ) as c
    where c.problem is not null
    order by c.index
    limit 1;
  exception when data_exception then
    -- A value the checks could not read (e.g. 2026-02-30): the row-by-row pass below names its event.
    by_rows := true;
  end;
  if bad_index is not null then
    raise exception using errcode = '22023',
      message = format('events[%s]%s: %s', bad_index, coalesce(' (event_id ' || bad_event_id || ')', ''),
                       bad_problem),
      hint = nothing_stored;
  end if;

  if not by_rows then
    -- ---------------------------------------------------------------- rate: per learner and clock minute
    if caller is not null then
      insert into private.event_ingest_rates as r (user_id, minute, events)
      values (caller, date_trunc('minute', now()), total)
      on conflict (user_id) do update
        set events = case when r.minute = excluded.minute then r.events + excluded.events else excluded.events end,
            minute = excluded.minute
      returning r.events into sent;
      if sent > limits.max_events_per_minute then
        raise exception using errcode = '54000',
          message = format('too many events: %s this minute, at most %s per learner', sent,
                           limits.max_events_per_minute),
          hint = 'Nothing of this batch was stored; resend it after the minute.';
      end if;
    end if;
    -- ---------------------------------------------------------------- store: one statement for the batch
    begin
      stored := private.insert_ingested_events(events, caller, 0, total - 1, false);
    exception
      when unique_violation then
        -- An event of the batch is already stored (a resent batch): insert it again, skipping those.
        begin
          stored := private.insert_ingested_events(events, caller, 0, total - 1, true);
        exception when data_exception or integrity_constraint_violation then
          by_rows := true;
        end;
      when data_exception or integrity_constraint_violation then
        by_rows := true;  -- a value the tables refuse: find which event, below
    end;
  end if;

  if by_rows then
    -- Slow path, only for a batch that fails: each event alone, to name the first one that fails. Whatever
    -- happens the call raises, so none of the batch is stored.
    for index in 0 .. total - 1 loop
      begin
        perform private.insert_ingested_events(events, caller, index, index, true);
      exception when data_exception or integrity_constraint_violation then
        raise exception using errcode = '22023',
          message = format('events[%s]%s: %s', index,
                           coalesce(' (event_id ' || left(events -> index ->> 'event_id', 36) || ')', ''),
                           case when sqlerrm like 'no partition of relation%'
                                then format('no partition of %s holds %s: the maintain-partitions job creates '
                                            'the months ahead', case when events -> index ->> 'stream' = 'analytics'
                                            then 'public.analytics_events' else 'public.learning_events' end,
                                            events -> index ->> 'occurred_at')
                                else sqlerrm end),
          hint = nothing_stored;
      end;
    end loop;
    raise exception using errcode = '22023', message = 'the batch failed, but none of its events alone',
      hint = 'Nothing of this batch was stored; resend it.';
  end if;
  return query select stored, total - stored;
end
$function$;

create trigger analytics_events_check_event_time before insert on public.analytics_events for each row when (
    (
        (new.received_at is distinct from now())
        or (new.occurred_at > (now() + '00:05:00'::interval))
        or (new.occurred_at < (now() - '7 days'::interval))
    )
) execute function private.trigger_check_event_time();

create trigger learning_events_check_event_time before insert on public.learning_events for each row when (
    (
        (new.received_at is distinct from now())
        or (new.occurred_at > (now() + '00:05:00'::interval))
        or (new.occurred_at < (now() - '7 days'::interval))
    )
) execute function private.trigger_check_event_time();

comment on function private.insert_ingested_events(pg_catalog.jsonb,pg_catalog.uuid,integer,integer,boolean) is 'The insert step of private.record_learning_events: events[first_index..last_index] (validated) into learning_events or analytics_events, for `actor` unless an event names its user_id; returns rows stored. With skip_duplicates an event already stored (same user, time and client event id) is skipped, without it raises unique_violation.';

revoke execute on function private.insert_ingested_events(jsonb, uuid, integer, integer, boolean) from public;
