-- create daily challenges
--
-- Spool's daily_challenges: a goal for one local day (correct answers, XP,
-- lessons, perfect scores or fast answers), global or of one organization, and
-- challenge_progress per learner, kept from that day's xp_activity_days
-- counters. Completing a challenge pays its bonus XP once.

-- ---------------------------------------------------------------- daily_challenges
create table public.daily_challenges (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  challenge_date date not null,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  name text not null check (char_length(name) between 2 and 200),
  description text not null check (char_length(description) <= 1000),
  challenge_type text not null check (challenge_type in (
    'correct_answers', 'xp_earned', 'lessons_completed', 'perfect_scores', 'fast_answers'
  )),
  target integer not null check (target > 0),
  xp_reward integer not null check (xp_reward between 1 and 100000),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint daily_challenges_slug_unique unique nulls not distinct (organization_id, challenge_date, slug)
);
create index daily_challenges_date_idx on public.daily_challenges (challenge_date) where is_active;
create index daily_challenges_organization_id_idx on public.daily_challenges (organization_id, challenge_date);

alter table public.daily_challenges enable row level security;
comment on table public.daily_challenges is
  'A challenge for one local day: reach target correct answers / learning XP / lessons / perfect scores / '
  'fast answers that day for xp_reward bonus XP. organization_id null: everyone''s (service_role).';

revoke all on table public.daily_challenges from anon, authenticated;
grant select on table public.daily_challenges to authenticated;
grant insert (organization_id, challenge_date, slug, name, description, challenge_type, target, xp_reward, is_active)
  on table public.daily_challenges to authenticated;
grant update (name, description, target, xp_reward, is_active) on table public.daily_challenges to authenticated;
grant delete on table public.daily_challenges to authenticated;
grant all on table public.daily_challenges to service_role;

-- ---------------------------------------------------------------- challenge_progress
create table public.challenge_progress (
  user_id uuid not null references public.profiles (id) on delete cascade,
  challenge_id uuid not null references public.daily_challenges (id) on delete cascade,
  progress integer not null default 0 check (progress >= 0),
  target integer not null check (target > 0),
  percentage smallint generated always as (least(100, progress * 100 / target)::smallint) stored,
  completed_at timestamptz,
  reward_transaction_id bigint references public.xp_transactions (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (user_id, challenge_id)
);
create index challenge_progress_challenge_id_idx on public.challenge_progress (challenge_id);
create index challenge_progress_reward_transaction_id_idx on public.challenge_progress (reward_transaction_id);

alter table public.challenge_progress enable row level security;
comment on table public.challenge_progress is
  'A learner''s progress on a daily challenge; completed once, with its bonus. Server-owned.';

revoke all on table public.challenge_progress from anon, authenticated;
grant select on table public.challenge_progress to authenticated;
grant all on table public.challenge_progress to service_role;

-- ---------------------------------------------------------------- evaluation
create function private.evaluate_challenges(learner uuid, day date, at timestamptz) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  won record;
  reward jsonb;
  count_won integer := 0;
begin
  insert into public.challenge_progress (user_id, challenge_id, progress, target)
  select learner, c.id, least(metric.value, c.target), c.target
  from public.xp_activity_days d
  join public.daily_challenges c on c.challenge_date = d.local_day and c.is_active
  cross join lateral (select case c.challenge_type
      when 'correct_answers' then d.correct_answers
      when 'xp_earned' then d.learning_xp
      when 'lessons_completed' then d.lessons_completed
      when 'perfect_scores' then d.perfect_scores
      when 'fast_answers' then d.fast_answers end as value) metric
  where d.user_id = learner and d.local_day = day and metric.value > 0
    and (c.organization_id is null or c.organization_id in (
      select organization_id from public.organization_members where user_id = learner))
  on conflict (user_id, challenge_id) do update
    set progress = excluded.progress, updated_at = at
    where challenge_progress.completed_at is null and challenge_progress.progress < excluded.progress;

  for won in
    update public.challenge_progress p set completed_at = at, updated_at = at
    from public.daily_challenges c
    where p.user_id = learner and c.id = p.challenge_id and c.challenge_date = day
      and p.completed_at is null and p.progress >= p.target
    returning p.challenge_id, c.name, c.xp_reward, c.organization_id
  loop
    count_won := count_won + 1;
    update public.xp_profiles set challenges_won = challenges_won + 1 where user_id = learner;
    reward := private.increment_xp(learner, won.xp_reward, 'daily challenge: ' || won.name, 'challenge',
      'challenge:' || won.challenge_id, won.organization_id, 'daily_challenges', won.challenge_id::text, at);
    update public.challenge_progress set reward_transaction_id = (reward ->> 'transaction_id')::bigint
    where user_id = learner and challenge_id = won.challenge_id;
  end loop;
  if count_won > 0 then
    perform private.evaluate_achievements(learner, array['challenges_won'], at);
  end if;
  return count_won;
end
$$;
comment on function private.evaluate_challenges(uuid, date, timestamptz) is
  'Updates a learner''s progress on the challenges of a local day from its counters; pays each bonus once.';

create function private.my_challenges() returns table (
  challenge_id uuid, name text, description text, challenge_type text, target integer, xp_reward integer,
  progress integer, percentage smallint, completed_at timestamptz, challenge_date date
)
language sql stable
security definer
set search_path = ''
as $$
  select c.id, c.name, c.description, c.challenge_type, c.target, c.xp_reward,
         coalesce(p.progress, 0), coalesce(p.percentage, 0::smallint), p.completed_at, c.challenge_date
  from public.daily_challenges c
  left join public.challenge_progress p on p.challenge_id = c.id and p.user_id = (select auth.uid())
  where c.is_active
    and c.challenge_date = private.local_day((select auth.uid()), now())
    and (c.organization_id is null or c.organization_id in (select private.member_org_ids()))
  order by c.xp_reward, c.name
$$;
comment on function private.my_challenges() is 'Today''s challenges (the learner''s local day) with their progress.';

create function public.get_my_challenges() returns table (
  challenge_id uuid, name text, description text, challenge_type text, target integer, xp_reward integer,
  progress integer, percentage smallint, completed_at timestamptz, challenge_date date
)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.my_challenges()
$$;
comment on function public.get_my_challenges() is
  'The signed-in learner''s challenges for their local today, with progress and completion.';

revoke execute on all functions in schema private from public;
grant execute on function private.my_challenges() to authenticated, service_role;
grant execute on function private.evaluate_challenges(uuid, date, timestamptz) to service_role;
grant execute on function public.get_my_challenges() to authenticated, service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/daily_challenges.sql
-- Policies of public.daily_challenges: signed-in users read the global ones and
-- their organizations'; staff manage their organization's; global: service_role.

create policy "Signed-in users can read their daily challenges"
  on public.daily_challenges for select to authenticated
  using (organization_id is null or organization_id in (select private.member_org_ids()));

create policy "Staff can create daily challenges for their organization"
  on public.daily_challenges for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can update their organization's daily challenges"
  on public.daily_challenges for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's daily challenges"
  on public.daily_challenges for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/challenge_progress.sql
-- Policies of public.challenge_progress: read by the learner, their guardians
-- and their organizations' staff; written only by learnkit's XP functions.

create policy "Users can read their own challenge progress"
  on public.challenge_progress for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' challenge progress"
  on public.challenge_progress for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' challenge progress"
  on public.challenge_progress for select to authenticated
  using (user_id in (select private.staff_student_ids()));
