-- create gamification settings
--
-- The rules XP is awarded by, per organization: Pathfinity's defaults (correct
-- first try 10, second try 5, lesson complete 20, perfect score 50), the daily
-- XP cap, the award rate limit, the hint economy, streak freezes and
-- milestones, and weekly leagues. One row with organization_id null holds the
-- platform defaults (service_role edits it); an organization's admins may add
-- their own row, which then applies to awards in that organization.

-- ---------------------------------------------------------------- gamification_settings
create table public.gamification_settings (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  correct_first_try integer not null default 10 check (correct_first_try between 0 and 1000),
  correct_second_try integer not null default 5 check (correct_second_try between 0 and 1000),
  correct_later_try integer not null default 0 check (correct_later_try between 0 and 1000),
  lesson_complete integer not null default 20 check (lesson_complete between 0 and 10000),
  container_complete integer not null default 20 check (container_complete between 0 and 10000),
  perfect_score integer not null default 50 check (perfect_score between 0 and 10000),
  daily_xp_cap integer not null default 1000 check (daily_xp_cap between 0 and 1000000),
  rate_limit_awards integer not null default 60 check (rate_limit_awards between 1 and 100000),
  rate_limit_window_seconds integer not null default 60 check (rate_limit_window_seconds between 1 and 86400),
  fast_answer_ms integer not null default 5000 check (fast_answer_ms between 100 and 600000),
  free_hints_per_day integer not null default 10 check (free_hints_per_day between 0 and 1000),
  hint_cost integer not null default 5 check (hint_cost between 1 and 10000),
  streak_freeze_cost integer not null default 50 check (streak_freeze_cost between 1 and 100000),
  streak_milestones jsonb not null
    default '{"3": 10, "7": 50, "14": 100, "30": 250, "100": 1000, "365": 5000}'
    check (jsonb_typeof(streak_milestones) = 'object'),
  league_group_size integer not null default 30 check (league_group_size between 2 and 1000),
  league_promote_count integer not null default 5 check (league_promote_count between 0 and 100),
  league_demote_count integer not null default 5 check (league_demote_count between 0 and 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint gamification_settings_one_per_organization unique nulls not distinct (organization_id)
);

alter table public.gamification_settings enable row level security;
comment on table public.gamification_settings is
  'XP award rules, daily cap, rate limit, hint economy, streak and league settings. organization_id null: '
  'the platform defaults (service_role); otherwise an organization''s own rules (its admins).';
comment on column public.gamification_settings.daily_xp_cap is
  'Most learning XP (answers, lessons, sessions) one learner earns per local day; bonuses are not capped.';
comment on column public.gamification_settings.rate_limit_awards is
  'Most learning awards per learner within rate_limit_window_seconds; more raise SQLSTATE PT429.';
comment on column public.gamification_settings.streak_milestones is
  'Daily streak length → bonus XP, awarded once per streak when it reaches that length.';

revoke all on table public.gamification_settings from anon, authenticated;
grant select on table public.gamification_settings to authenticated;
grant insert (organization_id, correct_first_try, correct_second_try, correct_later_try, lesson_complete,
  container_complete, perfect_score, daily_xp_cap, rate_limit_awards, rate_limit_window_seconds, fast_answer_ms,
  free_hints_per_day, hint_cost, streak_freeze_cost, streak_milestones, league_group_size, league_promote_count,
  league_demote_count)
  on table public.gamification_settings to authenticated;
grant update (correct_first_try, correct_second_try, correct_later_try, lesson_complete, container_complete,
  perfect_score, daily_xp_cap, rate_limit_awards, rate_limit_window_seconds, fast_answer_ms, free_hints_per_day,
  hint_cost, streak_freeze_cost, streak_milestones, league_group_size, league_promote_count, league_demote_count)
  on table public.gamification_settings to authenticated;
grant delete on table public.gamification_settings to authenticated;
grant all on table public.gamification_settings to service_role;

create trigger gamification_settings_set_updated_at before update on public.gamification_settings
  for each row execute function private.trigger_set_updated_at();

insert into public.gamification_settings (organization_id) values (null);

-- ---------------------------------------------------------------- rule lookup
-- An organization's own row if it has one, else the platform defaults.
create function private.gamification_rules(org uuid) returns public.gamification_settings
language sql stable
security definer
set search_path = ''
as $$
  select settings from public.gamification_settings settings
  where settings.organization_id = org or settings.organization_id is null
  order by settings.organization_id nulls last
  limit 1
$$;
comment on function private.gamification_rules(uuid) is
  'The gamification settings that apply in an organization: its own row, else the platform defaults.';

-- The organization whose rules govern a learner's personal economy (daily cap,
-- hints, freezes, milestones): the first one they joined as a student.
create function private.home_organization(learner uuid) returns uuid
language sql stable
security definer
set search_path = ''
as $$
  select organization_id from public.organization_members
  where user_id = learner and role = 'student'
  order by joined_at, organization_id
  limit 1
$$;
comment on function private.home_organization(uuid) is
  'The organization a learner first joined as a student (null if none): its rules govern their XP economy.';

revoke execute on function private.gamification_rules(uuid), private.home_organization(uuid) from public;
grant execute on function private.gamification_rules(uuid), private.home_organization(uuid) to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/gamification_settings.sql
-- Policies of public.gamification_settings: every signed-in user reads the
-- platform defaults; members read their organizations' rules; admins write them.

create policy "Signed-in users can read the platform's default rules"
  on public.gamification_settings for select to authenticated
  using (organization_id is null);

create policy "Members can read their organizations' rules"
  on public.gamification_settings for select to authenticated
  using (organization_id in (select private.member_org_ids()));

create policy "Admins can set their organizations' rules"
  on public.gamification_settings for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can change their organizations' rules"
  on public.gamification_settings for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can remove their organizations' rules"
  on public.gamification_settings for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));
