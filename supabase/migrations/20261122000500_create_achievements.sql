-- create achievements
--
-- Spool's achievements (criteria, target, rarity, secret, XP reward) and
-- student_achievements as user_achievements: progress with a generated
-- percentage, unlocked exactly once (unlocked_at set once, reward paid under
-- an idempotency key). Secret achievements stay invisible to a learner, and
-- to everyone else, until that learner earns them. Evaluated by learnkit's XP
-- functions from the counters of xp_profiles.

-- ---------------------------------------------------------------- achievements
create table public.achievements (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  name text not null check (char_length(name) between 2 and 100),
  description text not null check (char_length(description) <= 1000),
  icon_url text check (char_length(icon_url) <= 2000),
  criteria text not null check (criteria in (
    'xp_total', 'streak', 'lessons_completed', 'perfect_scores', 'skills_mastered', 'speed', 'challenges_won'
  )),
  target integer not null check (target > 0),
  rarity text not null default 'common' check (rarity in ('common', 'rare', 'epic', 'legendary')),
  is_secret boolean not null default false,
  xp_reward integer not null default 0 check (xp_reward between 0 and 100000),
  display_order integer not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint achievements_slug_unique unique nulls not distinct (organization_id, slug)
);
create index achievements_criteria_idx on public.achievements (criteria) where is_active;

alter table public.achievements enable row level security;
comment on table public.achievements is
  'Achievement definitions: criteria (xp_total, streak = best daily streak, lessons_completed, perfect_scores, '
  'skills_mastered, speed = fast correct first tries, challenges_won), target, rarity, secret, XP reward. '
  'organization_id null: everyone''s (service_role); otherwise an organization''s own (its staff).';

revoke all on table public.achievements from anon, authenticated;
grant select on table public.achievements to authenticated;
grant insert (organization_id, slug, name, description, icon_url, criteria, target, rarity, is_secret, xp_reward,
  display_order, is_active) on table public.achievements to authenticated;
grant update (name, description, icon_url, rarity, is_secret, xp_reward, display_order, is_active)
  on table public.achievements to authenticated;
grant all on table public.achievements to service_role;

-- ---------------------------------------------------------------- user_achievements
create table public.user_achievements (
  user_id uuid not null references public.profiles (id) on delete cascade,
  achievement_id uuid not null references public.achievements (id) on delete cascade,
  progress integer not null default 0 check (progress >= 0),
  target integer not null check (target > 0),
  percentage smallint generated always as (least(100, progress * 100 / target)::smallint) stored,
  unlocked_at timestamptz,
  reward_transaction_id bigint references public.xp_transactions (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (user_id, achievement_id)
);
create index user_achievements_achievement_id_idx on public.user_achievements (achievement_id);
create index user_achievements_reward_transaction_id_idx on public.user_achievements (reward_transaction_id);

alter table public.user_achievements enable row level security;
comment on table public.user_achievements is
  'A learner''s progress towards an achievement (percentage generated) and when it was unlocked, once. '
  'Server-owned.';

revoke all on table public.user_achievements from anon, authenticated;
grant select on table public.user_achievements to authenticated;
grant all on table public.user_achievements to service_role;

-- ---------------------------------------------------------------- secrecy helper
create function private.unlocked_achievement_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select achievement_id from public.user_achievements
  where user_id = (select auth.uid()) and unlocked_at is not null
$$;
comment on function private.unlocked_achievement_ids() is 'Achievements the current user has unlocked.';

-- ---------------------------------------------------------------- evaluation
-- Set-based: the progress of every active achievement of the given criteria
-- (global or of the learner's organizations) from the xp_profiles counters;
-- those reaching their target are unlocked once and pay their reward.
create function private.evaluate_achievements(learner uuid, criteria text[], at timestamptz) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  unlocked record;
  reward jsonb;
  count_unlocked integer := 0;
begin
  insert into public.user_achievements (user_id, achievement_id, progress, target)
  select learner, a.id, least(metric.value, a.target), a.target
  from public.xp_profiles s
  cross join public.achievements a
  cross join lateral (select case a.criteria
      when 'xp_total' then least(s.lifetime_xp, 2147483647)::integer
      when 'streak' then s.best_streak
      when 'lessons_completed' then s.lessons_completed
      when 'perfect_scores' then s.perfect_scores
      when 'skills_mastered' then s.skills_mastered
      when 'speed' then s.fast_answers
      when 'challenges_won' then s.challenges_won end as value) metric
  where s.user_id = learner
    and a.is_active and a.criteria = any (evaluate_achievements.criteria)
    and metric.value > 0
    and (a.organization_id is null or a.organization_id in (
      select organization_id from public.organization_members where user_id = learner))
  on conflict (user_id, achievement_id) do update
    set progress = excluded.progress, updated_at = at
    where user_achievements.unlocked_at is null and user_achievements.progress < excluded.progress;

  for unlocked in
    update public.user_achievements ua set unlocked_at = at, updated_at = at
    from public.achievements a
    where ua.user_id = learner and a.id = ua.achievement_id and a.criteria = any (evaluate_achievements.criteria)
      and ua.unlocked_at is null and ua.progress >= ua.target
    returning ua.achievement_id, a.name, a.xp_reward, a.organization_id
  loop
    count_unlocked := count_unlocked + 1;
    update public.xp_profiles set achievements_unlocked = achievements_unlocked + 1 where user_id = learner;
    if unlocked.xp_reward > 0 then
      reward := private.increment_xp(learner, unlocked.xp_reward, 'achievement: ' || unlocked.name, 'achievement',
        'achievement:' || unlocked.achievement_id, unlocked.organization_id, 'achievements',
        unlocked.achievement_id::text, at);
      update public.user_achievements set reward_transaction_id = (reward ->> 'transaction_id')::bigint
      where user_id = learner and achievement_id = unlocked.achievement_id;
    end if;
  end loop;
  if count_unlocked > 0 then
    perform private.evaluate_achievements(learner, array['xp_total'], at);
  end if;
  return count_unlocked;
end
$$;
comment on function private.evaluate_achievements(uuid, text[], timestamptz) is
  'Updates a learner''s progress on achievements of the given criteria; unlocks (once) and rewards those reached.';

revoke execute on all functions in schema private from public;
grant execute on function private.unlocked_achievement_ids() to authenticated, service_role;
grant execute on function private.evaluate_achievements(uuid, text[], timestamptz) to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/achievements.sql
-- Policies of public.achievements: signed-in users read the visible ones (global
-- or of their organizations); a secret one only once they have unlocked it.
-- Staff define their organization's achievements; global ones are service_role's.

create policy "Signed-in users can read visible achievements"
  on public.achievements for select to authenticated
  using (not is_secret and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Users can read the secret achievements they unlocked"
  on public.achievements for select to authenticated
  using (id in (select private.unlocked_achievement_ids()));

create policy "Staff can read their organization's achievements"
  on public.achievements for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create achievements for their organization"
  on public.achievements for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can update their organization's achievements"
  on public.achievements for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

-- supabase/policies/user_achievements.sql
-- Policies of public.user_achievements: learners read their progress except on
-- secret achievements not yet unlocked; guardians and staff read unlocked ones
-- and progress on visible ones. Written only by learnkit's XP functions.

create policy "Users can read their progress on visible or unlocked achievements"
  on public.user_achievements for select to authenticated
  using (user_id = (select auth.uid())
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

create policy "Guardians can read their students' achievements"
  on public.user_achievements for select to authenticated
  using (user_id in (select private.guardian_student_ids())
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));

create policy "Staff can read their students' achievements"
  on public.user_achievements for select to authenticated
  using (user_id in (select private.staff_student_ids())
    and (unlocked_at is not null or achievement_id in (select id from public.achievements where not is_secret)));
