-- Lifecycle: retention settings, the archive manifest, session-detail stripping, chat expiry, re-engagement
-- nudges, anonymisation, weekly progress reports and the guardian's child overview.
-- docs/lifecycle.md describes each job. Policies: progress_reports.sql, storage_objects.sql.

-- ======================================================================
-- tables
-- ======================================================================

create table private.lifecycle_settings (
  id boolean primary key default true check (id),
  session_details_kept_for interval not null default '6 months',
  sessions_archived_after interval not null default '1 year',
  archives_anonymised_after interval not null default '18 months',
  chats_expire_after interval not null default '90 days',
  learning_events_kept_for interval not null default '90 days',
  nudge_after_inactive interval not null default '14 days',
  archive_bucket text not null default 'lifecycle-archive' check (archive_bucket ~ '^[a-z0-9][a-z0-9._-]{2,62}$'),
  updated_at timestamptz not null default now(),
  check (session_details_kept_for >= interval '1 day'),
  -- Sessions leave the database (archived) no later than they must be anonymised, so anonymisation only
  -- ever has to rewrite archives; and a session's details go before the session itself.
  check (session_details_kept_for <= sessions_archived_after),
  check (sessions_archived_after <= archives_anonymised_after),
  check (chats_expire_after >= interval '1 day'),
  -- Devices may sync events up to 7 days late: never drop the months they can still land in.
  check (learning_events_kept_for >= interval '8 days'),
  check (nudge_after_inactive >= interval '1 day')
);
alter table private.lifecycle_settings enable row level security;
comment on table private.lifecycle_settings is
  'The data lifecycle''s windows and Storage buckets (one row). Change with UPDATE; see docs/lifecycle.md.';
comment on column private.lifecycle_settings.session_details_kept_for is
  'After this, a finished session keeps only its summary (counters, scores, XP, times); details are cleared.';
comment on column private.lifecycle_settings.sessions_archived_after is
  'Sessions started longer ago go to cold storage (gzip JSON lines) and leave the database, unless the learner '
  'opted in to keep their practice history (user_settings.keep_practice_history).';
comment on column private.lifecycle_settings.archives_anonymised_after is
  'Archived sessions older than this are rewritten without the learner''s identity, unless they opted in.';
comment on column private.lifecycle_settings.learning_events_kept_for is
  'Learning events older than this are folded into the daily rollups, archived, then deleted.';
revoke all on table private.lifecycle_settings from public, anon, authenticated, service_role;

create table private.archived_objects (
  id bigint generated always as identity primary key,
  dataset text not null check (dataset in ('learning_sessions', 'learning_events', 'gamification_snapshot')),
  period_month date check (period_month = date_trunc('month', period_month)::date),
  target text not null check (target in ('local', 'storage')),
  location text not null check (char_length(location) between 1 and 1000),
  object_key text not null check (object_key ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$'),
  row_count integer not null check (row_count >= 0),
  byte_size bigint not null check (byte_size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  anonymised_at timestamptz,
  superseded_key text,
  created_at timestamptz not null default now(),
  unique (target, location, object_key)
);
alter table private.archived_objects enable row level security;
comment on table private.archived_objects is
  'Cold-storage files written by the lifecycle jobs (sessions, learning events, gamification snapshots).';
comment on column private.archived_objects.superseded_key is
  'An identified archive this (anonymised) one replaced, deleted from storage by the next anonymisation run.';
revoke all on table private.archived_objects from public, anon, authenticated, service_role;
create index archived_objects_dataset_period_idx on private.archived_objects (dataset, period_month);

create table private.reengagement_nudges (
  user_id uuid not null references public.profiles (id) on delete cascade,
  lapse_started_at timestamptz not null,
  notification_id uuid not null,
  sent_at timestamptz not null,
  primary key (user_id, lapse_started_at)
);
alter table private.reengagement_nudges enable row level security;
comment on table private.reengagement_nudges is
  'One row per nudged lapse (user, last activity): what makes the weekly nudge never repeat for a lapse.';
revoke all on table private.reengagement_nudges from public, anon, authenticated, service_role;

create table public.progress_reports (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references public.profiles (id) on delete cascade,
  period text not null check (period ~ '^[0-9]{4}-W[0-9]{2}$'),
  period_start date not null,
  period_end date not null check (period_end = period_start + 6),
  object_path text not null check (object_path = student_id::text || '/' || period || '/summary.pdf'),
  target text not null check (target in ('local', 'storage')),
  location text not null check (char_length(location) between 1 and 1000),
  byte_size integer not null check (byte_size > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  generated_at timestamptz not null,
  unique (student_id, period)
);
alter table public.progress_reports enable row level security;
comment on table public.progress_reports is
  'Weekly PDF progress reports (ISO week `period`), one per student, for the student and their guardians. '
  'Written by the build-progress-reports job only.';
comment on column public.progress_reports.location is
  'The Storage bucket (target storage) or the local directory (target local) object_path is relative to.';
revoke all on table public.progress_reports from anon, authenticated;
grant select on table public.progress_reports to authenticated;
grant all on table public.progress_reports to service_role;

-- ======================================================================
-- reference rows
-- ======================================================================

insert into private.lifecycle_settings default values;

-- ======================================================================
-- functions
-- ======================================================================

create function private.strip_session_details(at timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  kept_for interval := (select session_details_kept_for from private.lifecycle_settings);
  stripped bigint;
begin
  update public.learning_sessions
  set config = '{}', content = '{}', raw_metrics = null, interactions = '[]', idle_periods = '[]',
      engagement = '{}', client_info = '{}', feedback = null
  where coalesce(ended_at, started_at) < at - kept_for
    and (config <> '{}' or content <> '{}' or raw_metrics is not null or interactions <> '[]'
         or idle_periods <> '[]' or engagement <> '{}' or client_info <> '{}' or feedback is not null);
  get diagnostics stripped = row_count;
  return stripped;
end
$$;
comment on function private.strip_session_details(timestamptz) is
  'Clears the detail columns (config, content, raw_metrics, interactions, idle_periods, engagement, '
  'client_info, feedback) of sessions past session_details_kept_for at `at`; returns sessions stripped.';
revoke execute on function private.strip_session_details(timestamptz) from public;

create function private.expire_chat_sessions(at timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  expire_after interval := (select chats_expire_after from private.lifecycle_settings);
  expired bigint;
begin
  delete from public.chat_sessions
  where greatest(created_at, updated_at, coalesce(last_message_at, created_at)) < at - expire_after;
  get diagnostics expired = row_count;
  return expired;
end
$$;
comment on function private.expire_chat_sessions(timestamptz) is
  'Deletes tutor chats (and their messages) inactive for longer than chats_expire_after at `at`.';
revoke execute on function private.expire_chat_sessions(timestamptz) from public;

create function private.send_reengagement_nudges(at timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  inactive_for interval := (select nudge_after_inactive from private.lifecycle_settings);
  sent bigint;
begin
  with lapsed as materialized (
    select p.id as user_id, coalesce(p.last_active_at, p.created_at) as lapse_started_at,
           coalesce(nullif(p.nickname, ''), 'there') as nickname, gen_random_uuid() as notification_id
    from public.profiles p
    left join public.user_settings s on s.user_id = p.id
    where coalesce(p.last_active_at, p.created_at) < at - inactive_for
      and coalesce(s.notifications -> 'reengagement', 'true') <> 'false'
      and coalesce(s.notifications -> 'in_app', 'true') <> 'false'
      -- learners only: not guardians, not organization staff or parents
      and not exists (select from public.guardianships g where g.guardian_id = p.id)
      and not exists (select from public.organization_members m
                      where m.user_id = p.id and m.role <> 'student')
  ),
  recorded as (
    insert into private.reengagement_nudges (user_id, lapse_started_at, notification_id, sent_at)
    select user_id, lapse_started_at, notification_id, at from lapsed
    on conflict (user_id, lapse_started_at) do nothing
    returning user_id, lapse_started_at, notification_id
  )
  insert into public.notifications (id, user_id, type, title, message, data, created_at)
  select r.notification_id, r.user_id, 'reengagement_nudge', 'We miss you!',
         format('Hi %s, it has been %s days since your last session. A few minutes today keeps your skills fresh.',
                l.nickname, extract(day from at - r.lapse_started_at)::integer),
         jsonb_build_object('lapse_started_at', r.lapse_started_at),
         at
  from recorded r join lapsed l using (user_id);
  get diagnostics sent = row_count;
  return sent;
end
$$;
comment on function private.send_reengagement_nudges(timestamptz) is
  'Notifies each learner inactive longer than nudge_after_inactive at `at`, once per lapse, unless they turned '
  're-engagement (or in-app) notifications off; returns notifications sent.';
revoke execute on function private.send_reengagement_nudges(timestamptz) from public;

create function private.anonymised_session(archived jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select archived
    || jsonb_build_object(
         'user_id', null,
         'client_info', '{}'::jsonb,
         'answer_attempts', coalesce((
           select jsonb_agg(attempt || jsonb_build_object('user_id', null, 'raw_input', null) order by position)
           from jsonb_array_elements(coalesce(archived -> 'answer_attempts', '[]'))
                with ordinality as attempts (attempt, position)), '[]'::jsonb),
         'exercise_generations', coalesce((
           select jsonb_agg(exercise || jsonb_build_object('user_id', null, 'student_interests', '[]'::jsonb,
                                                           'selected_interest', null) order by position)
           from jsonb_array_elements(coalesce(archived -> 'exercise_generations', '[]'))
                with ordinality as exercises (exercise, position)), '[]'::jsonb),
         'anonymised', true)
$$;
comment on function private.anonymised_session(jsonb) is
  'An archived session (JSON, with answer_attempts and exercise_generations) without the learner''s identity: '
  'user ids null, client_info emptied, raw_input and interests dropped; marked "anonymised": true.';
revoke execute on function private.anonymised_session(jsonb) from public;

create function public.progress_report_location(student uuid, period text)
returns table (object_path text, target text, location text, period_start date, period_end date,
               generated_at timestamptz)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  perform private.check_argument_length('period', period, 20);
  -- Row level security decides: the student and their linked guardians see the row, nobody else does.
  return query
    select r.object_path, r.target, r.location, r.period_start, r.period_end, r.generated_at
    from public.progress_reports r
    where r.student_id = progress_report_location.student and r.period = progress_report_location.period;
  if not found then
    raise exception using
      errcode = '42501',
      message = format('no progress report of student %s for %s that you may fetch', student, period),
      hint = 'Only the student and their linked guardians can fetch a report, once the weekly job wrote it.';
  end if;
end
$$;
revoke execute on function public.progress_report_location(uuid, text) from public;
grant execute on function public.progress_report_location(uuid, text) to authenticated, service_role;
comment on function public.progress_report_location(uuid, text) is
  'Where the weekly progress report of `student` for ISO week `period` (e.g. 2026-W47) is, if the caller is '
  'the student or a linked guardian; raises 42501 otherwise (and when there is no such report), 22001 for a '
  'period over 20 characters.';
revoke execute on function public.progress_report_location(uuid, text) from public;
grant execute on function public.progress_report_location(uuid, text) to authenticated, service_role;

create function private.run_lifecycle_job(job text) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  clock timestamptz := now();
  written bigint := 0;
  started timestamptz := clock_timestamp();
  failure text;
begin
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('learnkit.workers'), pg_catalog.hashtext(job)) then
    insert into private.worker_runs (job, clock, status, finished_at, error, runner)
    values (job, clock, 'skipped', clock_timestamp(), 'another instance holds the job''s lock', 'pg_cron');
    return 0;
  end if;
  begin
    case job
      when 'strip-session-details' then written := private.strip_session_details(clock);
      when 'expire-chat-sessions' then written := private.expire_chat_sessions(clock);
      when 'send-reengagement-nudges' then written := private.send_reengagement_nudges(clock);
      else
        raise exception using errcode = '22023', message = format('unknown lifecycle job %L', job);
    end case;
  exception when others then
    failure := format('%s (SQLSTATE %s)', sqlerrm, sqlstate);
  end;
  insert into private.worker_runs (job, clock, status, started_at, finished_at, rows_affected, error, runner)
  values (job, clock, case when failure is null then 'succeeded' else 'failed' end, started, clock_timestamp(),
          case when failure is null then written end, failure, 'pg_cron');
  return written;
end
$$;
comment on function private.run_lifecycle_job(text) is
  'pg_cron''s entry for the in-database lifecycle jobs (strip-session-details, expire-chat-sessions, '
  'send-reengagement-nudges): runs one under its advisory lock and records it in private.worker_runs.';
revoke execute on function private.run_lifecycle_job(text) from public;

create function private.child_overview(student_id uuid)
returns table (nickname text, xp bigint, level integer, current_streak integer, sessions_this_week bigint,
               accuracy_this_week numeric)
language plpgsql stable security definer rows 1
set search_path = ''
as $$
declare
  caller uuid := auth.uid();  -- read once (it parses the request's JWT claims)
begin
  -- The bench's unsecured baseline (bench/sql/rls_overhead.sql, child_overview) is this statement
  -- without the guardianship test: that test is all the security this read costs.
  return query
    select p.nickname, x.xp, x.level, x.current_streak,
           (select count(*) from public.learning_sessions s
            where s.user_id = p.id and s.started_at > now() - interval '7 days'),
           (select round(avg(case when a.is_correct then 100 else 0 end), 1) from public.answer_attempts a
            where a.user_id = p.id and a.answered_at > now() - interval '7 days')
    from public.profiles p
    left join public.xp_profiles x on x.user_id = p.id
    where p.id = child_overview.student_id
      and exists (select from public.guardianships g
                  where g.guardian_id = caller and g.student_id = p.id);
  if not found then
    raise exception using
      errcode = '42501',
      message = format('no linked student %s whose overview you may read', child_overview.student_id),
      hint = 'Only a guardian linked to the student (public.guardianships) can read their overview.';
  end if;
end
$$;
comment on function private.child_overview(uuid) is
  'The body of public.get_child_overview(): checks that auth.uid() is a linked guardian of `student_id` '
  '(42501 otherwise), then reads the overview bypassing row level security.';
revoke execute on function private.child_overview(uuid) from public;
grant execute on function private.child_overview(uuid) to authenticated, service_role;

create function public.get_child_overview(student_id uuid)
returns table (nickname text, xp bigint, level integer, current_streak integer, sessions_this_week bigint,
               accuracy_this_week numeric)
language sql stable security invoker rows 1
as $$
  select * from private.child_overview(get_child_overview.student_id)
$$;
comment on function public.get_child_overview(uuid) is
  'A guardian''s overview of one linked student: nickname, XP, level, current streak, sessions started and '
  'answer accuracy (percent) over the last 7 days. Raises 42501 unless the caller is a guardian linked to '
  '`student_id` (public.guardianships).';
revoke execute on function public.get_child_overview(uuid) from public;
grant execute on function public.get_child_overview(uuid) to authenticated, service_role;
alter function public.get_child_overview(uuid) set search_path = '';

create function private.trigger_queue_report_purge() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A report stored in Storage is owned by nobody (the job uploads it as the service role), so the account
  -- deletion trigger on profiles does not see it: queue its object here when its row goes.
  if old.target = 'storage' then
    insert into private.storage_purge_queue (bucket_id, object_name)
    values (old.location, old.object_path)
    on conflict do nothing;
  end if;
  return old;
end
$$;
comment on function private.trigger_queue_report_purge() is
  'When a progress report row is deleted (a deleted student''s cascade), queues its Storage object for the '
  'purge-storage job.';

-- ======================================================================
-- triggers
-- ======================================================================

create trigger progress_reports_queue_purge after delete on public.progress_reports
  for each row execute function private.trigger_queue_report_purge();
