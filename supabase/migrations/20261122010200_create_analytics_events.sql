-- create analytics events
--
-- Pathfinity's analytics_events: product telemetry a signed-in learner's app
-- sends (container started, hint used, career explored...), declaratively
-- partitioned by month of occurred_at (UTC months). Partitions are created by
-- private.create_monthly_partitions (the maintain-partitions worker keeps
-- months ahead); this migration creates the current month and the next three.
-- Learners insert their own events; received_at and ingest_xid are server-owned.
-- ingest_xid (the inserting transaction) is what the incremental rollups'
-- watermark is taken on: event time can be late, ingestion order cannot.

-- ---------------------------------------------------------------- table
create table public.analytics_events (
  id bigint generated always as identity,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete set null,
  session_id uuid,
  event_type text not null check (event_type ~ '^[a-z][a-z0-9_.]{1,63}$'),
  event_data jsonb not null default '{}' check (jsonb_typeof(event_data) = 'object'),
  duration_seconds integer not null default 0 check (duration_seconds between 0 and 86400),
  occurred_at timestamptz not null default now(),
  received_at timestamptz not null default now(),
  ingest_xid xid8 not null default pg_current_xact_id(),
  primary key (id, occurred_at)
) partition by range (occurred_at);
create index analytics_events_user_id_idx on public.analytics_events (user_id, occurred_at);
create index analytics_events_organization_id_idx on public.analytics_events (organization_id, occurred_at);
create index analytics_events_ingest_xid_idx on public.analytics_events (ingest_xid);

alter table public.analytics_events enable row level security;
comment on table public.analytics_events is
  'Product telemetry (Pathfinity PathIQ events), partitioned by month of occurred_at. event_data may carry '
  'career, companion, skill and journey keys, which the daily rollups group by.';
comment on column public.analytics_events.occurred_at is
  'When it happened on the device; may be late (offline), at most 7 days for learners, never in the future.';
comment on column public.analytics_events.ingest_xid is
  'Server-owned: the inserting transaction. The rollups'' watermark is a snapshot over these.';

revoke all on table public.analytics_events from anon, authenticated;
grant select on table public.analytics_events to authenticated;
grant insert (user_id, organization_id, session_id, event_type, event_data, duration_seconds, occurred_at)
  on table public.analytics_events to authenticated;
grant all on table public.analytics_events to service_role;

-- ---------------------------------------------------------------- occurred_at bounds
create function private.trigger_check_event_time() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.received_at := now();
  if new.occurred_at > new.received_at + interval '5 minutes' then
    raise exception using errcode = '22023',
      message = format('occurred_at %s is in the future', new.occurred_at),
      hint = 'Send the time the event happened on the device, in UTC or with an offset.';
  end if;
  -- Learners' devices may sync late, within a week; the server may backfill any past month with a partition.
  if (select auth.uid()) is not null and new.occurred_at < new.received_at - interval '7 days' then
    raise exception using errcode = '22023',
      message = format('occurred_at %s is more than 7 days old', new.occurred_at);
  end if;
  return new;
end
$$;
comment on function private.trigger_check_event_time() is
  'Event tables: received_at is the server time; occurred_at may not be in the future, nor older than '
  '7 days when a signed-in user sends it.';

create trigger analytics_events_check_event_time before insert on public.analytics_events
  for each row execute function private.trigger_check_event_time();

-- ---------------------------------------------------------------- policies
-- supabase/policies/analytics_events.sql
create policy "Learners, guardians and staff can read analytics events"
  on public.analytics_events for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids())
  );

create policy "Users can record their own events in their organizations"
  on public.analytics_events for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids()))
  );

-- ---------------------------------------------------------------- partitions
select private.create_monthly_partitions('public.analytics_events', current_date, 4);
