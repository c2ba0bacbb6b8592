-- create xp profiles
--
-- Pathfinity's pathiq_profiles: one row per profile with the learner's XP
-- balance, lifetime XP, today's and this week's XP, generated level, next
-- level threshold and PathIQ tier, streaks, freezes held and the counters
-- achievements are judged on. Everything here is server-owned: only learnkit's
-- functions (security definer, through private.increment_xp) write it; the
-- learner may only choose to hide from leaderboards. A row is created with
-- every profile (trigger) and for the profiles that already exist.

-- ---------------------------------------------------------------- xp_profiles
create table public.xp_profiles (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  xp bigint not null default 0 check (xp >= 0),
  lifetime_xp bigint not null default 0 check (lifetime_xp >= 0),
  level integer generated always as (public.level_for_xp(lifetime_xp)) stored,
  next_level_xp bigint generated always as (public.level_threshold(public.level_for_xp(lifetime_xp) + 1)) stored,
  pathiq_tier text generated always as (public.pathiq_tier(public.level_for_xp(lifetime_xp))) stored,
  today date,
  today_xp integer not null default 0 check (today_xp >= 0),
  week_start date,
  week_xp integer not null default 0 check (week_xp >= 0),
  current_streak integer not null default 0 check (current_streak >= 0),
  best_streak integer not null default 0 check (best_streak >= 0),
  streak_started_on date,
  streak_last_day date,
  current_weekly_streak integer not null default 0 check (current_weekly_streak >= 0),
  best_weekly_streak integer not null default 0 check (best_weekly_streak >= 0),
  weekly_streak_last_week date,
  streak_freezes smallint not null default 0 check (streak_freezes between 0 and 2),
  correct_answers integer not null default 0 check (correct_answers >= 0),
  fast_answers integer not null default 0 check (fast_answers >= 0),
  lessons_completed integer not null default 0 check (lessons_completed >= 0),
  perfect_scores integer not null default 0 check (perfect_scores >= 0),
  skills_mastered integer not null default 0 check (skills_mastered >= 0),
  challenges_won integer not null default 0 check (challenges_won >= 0),
  achievements_unlocked integer not null default 0 check (achievements_unlocked >= 0),
  leaderboard_opt_out boolean not null default false,
  last_award_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.xp_profiles enable row level security;
comment on table public.xp_profiles is
  'PathIQ profile (1:1 with profiles): XP balance, lifetime XP, today''s/this week''s XP (local days), level, '
  'next_level_xp and pathiq_tier (generated from lifetime XP), streaks, freezes and achievement counters. '
  'Server-owned except leaderboard_opt_out.';
comment on column public.xp_profiles.xp is 'Spendable balance: earned minus spent (hints, freezes); never negative.';
comment on column public.xp_profiles.lifetime_xp is
  'All XP ever earned; level is generated from it, so spending XP never lowers a level.';
comment on column public.xp_profiles.today is 'The learner''s local day today_xp counts (time zone of profiles).';
comment on column public.xp_profiles.week_start is 'Monday of the local week week_xp counts.';
comment on column public.xp_profiles.streak_last_day is
  'Last local day the daily streak covers (an activity day); see docs/gamification.md for the rule.';
comment on column public.xp_profiles.leaderboard_opt_out is
  'Chosen by the learner: leaderboards still rank them but show them as "Anonymous learner".';

revoke all on table public.xp_profiles from anon, authenticated;
grant select on table public.xp_profiles to authenticated;
grant update (leaderboard_opt_out) on table public.xp_profiles to authenticated;
grant all on table public.xp_profiles to service_role;

create trigger xp_profiles_set_updated_at before update on public.xp_profiles
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- one per profile
create function private.trigger_create_xp_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.xp_profiles (user_id) values (new.id) on conflict do nothing;
  return null;
end
$$;
comment on function private.trigger_create_xp_profile() is 'Every new profile gets its PathIQ profile.';

create trigger profiles_create_xp_profile after insert on public.profiles
  for each row execute function private.trigger_create_xp_profile();

insert into public.xp_profiles (user_id) select id from public.profiles on conflict do nothing;

-- ---------------------------------------------------------------- policies
-- supabase/policies/xp_profiles.sql
-- Policies of public.xp_profiles: learners read their own, guardians and staff
-- their students'. The learner may update only leaderboard_opt_out (column
-- privilege); XP, level, streaks and counters are written by learnkit's functions.

create policy "Users can read their own XP profile"
  on public.xp_profiles for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' XP profiles"
  on public.xp_profiles for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' XP profiles"
  on public.xp_profiles for select to authenticated
  using (user_id in (select private.staff_student_ids()));

create policy "Users can hide themselves from leaderboards"
  on public.xp_profiles for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
