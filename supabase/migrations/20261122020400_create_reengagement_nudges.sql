-- create re-engagement nudges
--
-- SignifyAI's weekly re-engagement nudge: a notification to each learner
-- inactive for longer than lifecycle_settings.nudge_after_inactive, at most
-- once per lapse. A lapse is identified by the learner's last activity
-- (profiles.last_active_at, or sign-up for a learner never active): the same
-- lapse is never nudged twice, however many weekly runs see it; coming back
-- and lapsing again starts a new lapse. Learners who turned nudges off
-- (user_settings.notifications: "reengagement": false, or every in-app
-- notification: "in_app": false) are skipped, and so are guardians and
-- organization staff (they are not the ones learning).

-- ---------------------------------------------------------------- table
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

-- ---------------------------------------------------------------- function
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
