-- create streaks
--
-- Daily and weekly streaks in each learner's own time zone, streak freezes and
-- milestone bonuses. The rule (docs/gamification.md, which the batch
-- recompute-streaks job implements set-based): an activity day is a local day
-- with learning XP (xp_activity_days.is_activity_day). On a learner's first
-- activity day after the last one counted, each missed day in between, in
-- order, consumes the earliest-bought unused freeze bought on or before that
-- missed day; the first missed day no freeze covers breaks the streak (it
-- restarts at 1 and no further freezes are consumed). Frozen days keep the
-- streak but do not lengthen it. A week (Monday–Sunday, local) with an activity
-- day extends the weekly streak if the previous week had one. At most 2 freezes
-- are held; they are bought with XP and never cover a day before their purchase.

-- ---------------------------------------------------------------- streak_freezes
create table public.streak_freezes (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  bought_on date not null,
  bought_at timestamptz not null default now(),
  consumed_on date,
  transaction_id bigint references public.xp_transactions (id) on delete set null,
  check (consumed_on is null or consumed_on >= bought_on)
);
create index streak_freezes_user_id_idx on public.streak_freezes (user_id, bought_on) where consumed_on is null;
create index streak_freezes_transaction_id_idx on public.streak_freezes (transaction_id);

alter table public.streak_freezes enable row level security;
comment on table public.streak_freezes is
  'Streak freezes a learner bought with XP (bought_on: their local day) and the missed day each one covered '
  '(consumed_on). At most 2 unused at a time. Server-owned.';

revoke all on table public.streak_freezes from anon, authenticated;
grant select on table public.streak_freezes to authenticated;
grant all on table public.streak_freezes to service_role;

-- ---------------------------------------------------------------- local time
create function private.local_day(learner uuid, at timestamptz) returns date
language sql stable
security definer
set search_path = ''
as $$
  select (at at time zone coalesce((select time_zone from public.profiles where id = learner), 'UTC'))::date
$$;
comment on function private.local_day(uuid, timestamptz) is 'The learner''s local date at a moment (their profile''s time zone).';

-- ---------------------------------------------------------------- online rule
-- Called by private.increment_xp, with the learner's xp_profiles row locked, on
-- the first learning XP of a local day. Returns the daily streak after it.
create function private.record_activity_day(learner uuid, day date, at timestamptz) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  stats public.xp_profiles;
  streak integer;
  started date;
  missed date;
  freeze_id bigint;
  broken boolean := false;
  week date := day - (extract(isodow from day)::integer - 1);
  weekly integer;
  bonus integer;
begin
  select * into stats from public.xp_profiles where user_id = learner;
  if stats.streak_last_day is not null and day <= stats.streak_last_day then
    return stats.current_streak;  -- already counted (or a day before it: streaks never go back)
  end if;

  if stats.streak_last_day is null or stats.current_streak = 0 then
    broken := true;
  else
    missed := stats.streak_last_day + 1;
    while missed < day loop
      select id into freeze_id from public.streak_freezes
      where user_id = learner and consumed_on is null and bought_on <= missed
      order by bought_on, id
      limit 1;
      if freeze_id is null then
        broken := true;
        exit;
      end if;
      update public.streak_freezes set consumed_on = missed where id = freeze_id;
      missed := missed + 1;
    end loop;
  end if;

  if broken then
    streak := 1;
    started := day;
  else
    streak := stats.current_streak + 1;
    started := stats.streak_started_on;
  end if;

  weekly := case
    when stats.weekly_streak_last_week = week then stats.current_weekly_streak
    when stats.weekly_streak_last_week = week - 7 then stats.current_weekly_streak + 1
    else 1 end;

  update public.xp_profiles set
    current_streak = streak,
    best_streak = greatest(best_streak, streak),
    streak_started_on = started,
    streak_last_day = day,
    streak_freezes = (select count(*) from public.streak_freezes where user_id = learner and consumed_on is null),
    current_weekly_streak = weekly,
    best_weekly_streak = greatest(best_weekly_streak, weekly),
    weekly_streak_last_week = week
  where user_id = learner;

  bonus := ((private.gamification_rules(private.home_organization(learner))).streak_milestones ->> streak::text)::integer;
  if bonus > 0 then
    perform private.increment_xp(learner, bonus, format('%s-day streak', streak), 'streak',
      format('streak:%s:%s', started, streak), null, 'xp_profiles', learner::text, at);
  end if;
  perform private.evaluate_achievements(learner, array['streak'], at);
  return streak;
end
$$;
comment on function private.record_activity_day(uuid, date, timestamptz) is
  'The online streak rule: a learner''s new activity day consumes freezes for missed days, extends or restarts '
  'the daily and weekly streaks and pays milestone bonuses.';

-- Whether the streak still stands on the learner's local day `today`: every
-- day missed since the last activity day (today excluded, it is not over) can
-- be covered by an unused freeze bought on or before it, as the rule would.
create function private.streak_is_alive(learner uuid, last_day date, today date) returns boolean
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  missed date;
  covered integer := 0;
  bought date;
begin
  if last_day is null then
    return false;
  end if;
  if today - last_day <= 1 then
    return true;
  end if;
  if today - last_day - 1 > 2 then
    return false;
  end if;
  missed := last_day + 1;
  for bought in
    select bought_on from public.streak_freezes
    where user_id = learner and consumed_on is null order by bought_on, id
  loop
    exit when missed >= today;
    if bought > missed then
      return false;
    end if;
    missed := missed + 1;
  end loop;
  return missed >= today;
end
$$;
comment on function private.streak_is_alive(uuid, date, date) is
  'True while the days missed since last_day can all be covered by the freezes held (see the streak rule).';

-- ---------------------------------------------------------------- freezes
create function private.purchase_streak_freeze(learner uuid, idempotency_key text, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  moment timestamptz := coalesce(at, now());
  key text := 'freeze:' || purchase_streak_freeze.idempotency_key;
  held integer;
  result jsonb;
begin
  perform 1 from public.xp_profiles where user_id = learner for update;
  result := private.replayed_xp_result(learner, key);
  if result is not null then
    return result;
  end if;
  select count(*) into held from public.streak_freezes where user_id = learner and consumed_on is null;
  if held >= 2 then
    raise exception using errcode = '23514', message = 'you already hold 2 streak freezes, the most allowed';
  end if;
  result := private.increment_xp(learner,
    -(private.gamification_rules(private.home_organization(learner))).streak_freeze_cost,
    'streak freeze', 'streak', key, private.home_organization(learner), 'streak_freezes', null, moment);
  insert into public.streak_freezes (user_id, bought_on, bought_at, transaction_id)
  values (learner, private.local_day(learner, moment), moment, (result ->> 'transaction_id')::bigint);
  update public.xp_profiles set streak_freezes = held + 1 where user_id = learner;
  return result;
end
$$;
comment on function private.purchase_streak_freeze(uuid, text, timestamptz) is
  'A learner buys a streak freeze with XP at a moment (default now); at most 2 held. Replays return the first result.';

create function private.buy_streak_freeze(idempotency_key text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to buy a streak freeze';
  end if;
  return private.purchase_streak_freeze(auth.uid(), idempotency_key, now());
end
$$;
comment on function private.buy_streak_freeze(text) is 'The signed-in learner buys a streak freeze, now.';

create function public.buy_streak_freeze(idempotency_key text) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.buy_streak_freeze(idempotency_key)
$$;
comment on function public.buy_streak_freeze(text) is
  'Buy a streak freeze with XP (cost per organization, default 50; at most 2 held). Errors: 23514 when 2 are '
  'held or XP is short.';

-- ---------------------------------------------------------------- streak status
create function private.my_streak() returns table (
  current_streak integer, best_streak integer, is_alive boolean, streak_started_on date, streak_last_day date,
  current_weekly_streak integer, best_weekly_streak integer, freezes_held integer, local_today date
)
language sql stable
security definer
set search_path = ''
as $$
  with me as (
    select s.*, private.local_day(s.user_id, now()) as local_now
    from public.xp_profiles s where s.user_id = (select auth.uid())
  )
  select
    case when private.streak_is_alive(me.user_id, me.streak_last_day, me.local_now) then me.current_streak else 0 end,
    me.best_streak,
    private.streak_is_alive(me.user_id, me.streak_last_day, me.local_now),
    me.streak_started_on, me.streak_last_day,
    case when me.weekly_streak_last_week >= me.local_now - (extract(isodow from me.local_now)::integer - 1) - 7
      then me.current_weekly_streak else 0 end,
    me.best_weekly_streak, me.streak_freezes, me.local_now
  from me
$$;
comment on function private.my_streak() is 'The signed-in learner''s streaks as of now in their time zone.';

create function public.get_my_streak() returns table (
  current_streak integer, best_streak integer, is_alive boolean, streak_started_on date, streak_last_day date,
  current_weekly_streak integer, best_weekly_streak integer, freezes_held integer, local_today date
)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.my_streak()
$$;
comment on function public.get_my_streak() is
  'The signed-in learner''s streaks as of now in their time zone: a streak whose missed days no freeze can '
  'cover shows 0; a weekly streak shows 0 once a whole local week passed without activity.';

revoke execute on all functions in schema private from public;
grant execute on function private.buy_streak_freeze(text), private.my_streak() to authenticated, service_role;
grant execute on function private.record_activity_day(uuid, date, timestamptz),
  private.local_day(uuid, timestamptz), private.streak_is_alive(uuid, date, date),
  private.purchase_streak_freeze(uuid, text, timestamptz)
  to service_role;
grant execute on function public.buy_streak_freeze(text), public.get_my_streak() to authenticated, service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/streak_freezes.sql
-- Policies of public.streak_freezes: read by the learner, their guardians and
-- their organizations' staff; bought only through buy_streak_freeze().

create policy "Users can read their own streak freezes"
  on public.streak_freezes for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' streak freezes"
  on public.streak_freezes for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' streak freezes"
  on public.streak_freezes for select to authenticated
  using (user_id in (select private.staff_student_ids()));
