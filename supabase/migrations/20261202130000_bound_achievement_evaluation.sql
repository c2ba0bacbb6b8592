-- bound achievement evaluation
--
-- Issue 14, item 5 (bounded cost). private.evaluate_achievements stored every
-- learner's progress on every active achievement of a criterion at each event
-- (a row read and upserted per achievement: 2,000 achievements, 2,000 rows per
-- answer, whatever organization defined them), and each unlock paid its reward
-- through increment_xp, which re-ran the whole evaluation: quadratic (2,000
-- achievements: 33 s per answer). Now an event examines only what it can
-- change:
--
-- * Progress towards a locked achievement is derived, not stored: it is
--   min(the learner's counter, target), read from xp_profiles
--   (public.get_my_achievements). user_achievements keeps one row per unlocked
--   achievement, with its criteria, so "the last one I unlocked of this
--   criterion" is one index probe.
-- * An event unlocks the achievements of its criteria whose target lies above
--   the last one the learner unlocked of that criterion ((target, id) order)
--   and at most the learner's counter: a range scan per organization the
--   learner belongs to (and the platform-wide ones) on
--   (criteria, organization_id, target, id), at most 10 per criterion per event.
--   The rest unlock at the learner's next events of that criterion. Other
--   organizations' achievements, achievements far out of reach and those
--   already unlocked are never read.
-- * Rewards are paid after the unlocks, with re-evaluation switched off for
--   the evaluation's own rewards (transaction setting
--   learnkit.evaluating_achievements); one more xp_total pass follows if any
--   reward was paid. So an event runs at most (criteria + 1) passes of at most
--   10 unlocks each, whatever the number of achievements defined.
-- * An achievement whose target is below the last one the learner already
--   unlocked of its criterion (defined, or joined, after the learner passed it)
--   is not unlocked retroactively: that would let one batch of definitions put
--   thousands of unlocks on every learner's next answer.
-- * private.evaluate_challenges reads only the day's challenges of the
--   learner's organizations and the platform's (an index probe per
--   organization); their number per organization and day is bounded by
--   public.platform_limits.
--
-- Destructive: stored progress rows of locked achievements (derived data) are
-- deleted; their progress is now computed on read.

-- ---------------------------------------------------------------- user_achievements: unlocked rows, by criteria
alter table public.user_achievements add column criteria text;
comment on column public.user_achievements.criteria is
  'Server-owned: the achievement''s criteria, copied at unlock (index of the learner''s last unlock per criteria).';
update public.user_achievements as ua set criteria = a.criteria
from public.achievements as a
where a.id = ua.achievement_id;
delete from public.user_achievements where unlocked_at is null;
create index user_achievements_last_unlock_idx on public.user_achievements (user_id, criteria, target, achievement_id)
where unlocked_at is not null;
comment on table public.user_achievements is
  'A learner''s unlocked achievements (unlocked once, reward paid once). Progress towards locked ones is derived '
  'from xp_profiles (public.get_my_achievements). Server-owned.';

-- ---------------------------------------------------------------- achievements: range scans per organization
drop index public.achievements_criteria_idx;
create index achievements_unlock_order_idx on public.achievements (criteria, organization_id, target, id)
where is_active;

-- ---------------------------------------------------------------- evaluation
create or replace function private.evaluate_achievements(learner uuid, criteria text[], at timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  per_criterion constant integer := 10;
  pass text[] := evaluate_achievements.criteria;
  unlocked record;
  reward jsonb;
  count_unlocked integer := 0;
  count_pass integer;
  paid boolean;
begin
  if coalesce(current_setting('learnkit.evaluating_achievements', true), '') = 'on' then
    return 0;  -- a reward this evaluation pays: it runs the xp_total pass itself
  end if;
  perform set_config('learnkit.evaluating_achievements', 'on', true);
  for pass_number in 1..2 loop
    count_pass := 0;
    paid := false;
    for unlocked in
      with metric as (
        select c.criterion, case c.criterion
            when 'xp_total' then least(s.lifetime_xp, 2147483647)::integer
            when 'streak' then s.best_streak
            when 'lessons_completed' then s.lessons_completed
            when 'perfect_scores' then s.perfect_scores
            when 'skills_mastered' then s.skills_mastered
            when 'speed' then s.fast_answers
            when 'challenges_won' then s.challenges_won end as value,
          coalesce(last.target, 0) as last_target,
          coalesce(last.achievement_id, '00000000-0000-0000-0000-000000000000'::uuid) as last_id
        from (select distinct unnest(pass) as criterion) c
        cross join public.xp_profiles s
        left join lateral (
          select ua.target, ua.achievement_id from public.user_achievements ua
          where ua.user_id = learner and ua.criteria = c.criterion and ua.unlocked_at is not null
          order by ua.target desc, ua.achievement_id desc
          limit 1) last on true
        where s.user_id = learner
      ),
      candidate as (
        select metric.criterion, a.id, a.target, a.name, a.xp_reward, a.organization_id
        from metric
        cross join lateral (
          (select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.achievements a
           where a.is_active and a.criteria = metric.criterion and a.organization_id is null
             and (a.target, a.id) > (metric.last_target, metric.last_id) and a.target <= metric.value
           order by a.target, a.id
           limit per_criterion)
          union all
          (select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.organization_members m
           cross join lateral (
             select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.achievements a
             where a.is_active and a.criteria = metric.criterion and a.organization_id = m.organization_id
               and (a.target, a.id) > (metric.last_target, metric.last_id) and a.target <= metric.value
             order by a.target, a.id
             limit per_criterion) a
           where m.user_id = learner)) a
        where metric.value > 0
      ),
      picked as (
        select criterion, id, target, name, xp_reward, organization_id from (
          select candidate.*, row_number() over (partition by criterion order by target, id) as n from candidate) c
        where n <= per_criterion
      ),
      inserted as (
        insert into public.user_achievements as ua (user_id, achievement_id, criteria, progress, target, unlocked_at,
          updated_at)
        select learner, picked.id, picked.criterion, picked.target, picked.target, at, at from picked
        on conflict (user_id, achievement_id) do update
          set criteria = excluded.criteria, progress = excluded.progress, target = excluded.target,
              unlocked_at = excluded.unlocked_at, updated_at = excluded.updated_at
          where ua.unlocked_at is null
        returning ua.achievement_id
      )
      select picked.id, picked.name, picked.xp_reward, picked.organization_id
      from inserted
      join picked on picked.id = inserted.achievement_id
      order by picked.id
    loop
      count_pass := count_pass + 1;
      if unlocked.xp_reward > 0 then
        reward := private.increment_xp(learner, unlocked.xp_reward, 'achievement: ' || unlocked.name, 'achievement',
          'achievement:' || unlocked.id, unlocked.organization_id, 'achievements', unlocked.id::text, at);
        update public.user_achievements set reward_transaction_id = (reward ->> 'transaction_id')::bigint
        where user_id = learner and achievement_id = unlocked.id;
        paid := true;
      end if;
    end loop;
    if count_pass > 0 then
      update public.xp_profiles set achievements_unlocked = achievements_unlocked + count_pass
      where user_id = learner;
      count_unlocked := count_unlocked + count_pass;
    end if;
    exit when not paid;
    pass := array['xp_total'];  -- the rewards raised lifetime XP: one more pass, no further
  end loop;
  perform set_config('learnkit.evaluating_achievements', 'off', true);
  return count_unlocked;
end
$$;
comment on function private.evaluate_achievements(uuid, text[], timestamptz) is
  'Unlocks (once, with reward) a learner''s achievements of the given criteria that the counters now reach: above '
  'the last one unlocked of each criteria, at most 10 per criteria per call, one xp_total pass for the rewards.';

create or replace function private.evaluate_challenges(learner uuid, day date, at timestamptz) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  won record;
  reward jsonb;
  count_won integer := 0;
begin
  insert into public.challenge_progress as p (user_id, challenge_id, progress, target)
  select learner, c.id, least(metric.value, c.target), c.target
  from public.xp_activity_days d
  join lateral (
    select g.* from public.daily_challenges g
    where g.organization_id is null and g.challenge_date = d.local_day and g.is_active
    union all
    select o.* from public.organization_members m
    join public.daily_challenges o
      on o.organization_id = m.organization_id and o.challenge_date = d.local_day and o.is_active
    where m.user_id = learner) c on true
  cross join lateral (select case c.challenge_type
      when 'correct_answers' then d.correct_answers
      when 'xp_earned' then d.learning_xp
      when 'lessons_completed' then d.lessons_completed
      when 'perfect_scores' then d.perfect_scores
      when 'fast_answers' then d.fast_answers end as value) metric
  where d.user_id = learner and d.local_day = day and metric.value > 0
  on conflict (user_id, challenge_id) do update
    set progress = excluded.progress, updated_at = at
    where p.completed_at is null and p.progress < excluded.progress;

  for won in
    update public.challenge_progress p set completed_at = at, updated_at = at
    from public.daily_challenges c
    where p.user_id = learner and c.id = p.challenge_id and c.challenge_date = day
      and p.completed_at is null and p.progress >= p.target
    returning p.challenge_id, c.name, c.xp_reward, c.organization_id
  loop
    count_won := count_won + 1;
    reward := private.increment_xp(learner, won.xp_reward, 'daily challenge: ' || won.name, 'challenge',
      'challenge:' || won.challenge_id, won.organization_id, 'daily_challenges', won.challenge_id::text, at);
    update public.challenge_progress set reward_transaction_id = (reward ->> 'transaction_id')::bigint
    where user_id = learner and challenge_id = won.challenge_id;
  end loop;
  if count_won > 0 then
    update public.xp_profiles set challenges_won = challenges_won + count_won where user_id = learner;
    perform private.evaluate_achievements(learner, array['challenges_won'], at);
  end if;
  return count_won;
end
$$;
comment on function private.evaluate_challenges(uuid, date, timestamptz) is
  'Updates a learner''s progress on the day''s challenges of their organizations and the platform''s; pays each '
  'bonus once.';

-- ---------------------------------------------------------------- reading progress
create function public.get_my_achievements()
returns table (
  achievement_id uuid, slug text, name text, description text, icon_url text, criteria text, target integer,
  rarity text, xp_reward integer, progress integer, percentage smallint, unlocked_at timestamptz
)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  -- Security invoker: the achievements policies decide which definitions (secret ones once unlocked) are seen.
  return query
    select a.id, a.slug, a.name, a.description, a.icon_url, a.criteria, a.target, a.rarity, a.xp_reward,
           coalesce(ua.progress, least(metric.value, a.target)),
           coalesce(ua.percentage, least(100, least(metric.value, a.target) * 100 / a.target)::smallint),
           ua.unlocked_at
    from public.xp_profiles s
    cross join public.achievements a
    left join public.user_achievements ua on ua.user_id = s.user_id and ua.achievement_id = a.id
    cross join lateral (select case a.criteria
        when 'xp_total' then least(s.lifetime_xp, 2147483647)::integer
        when 'streak' then s.best_streak
        when 'lessons_completed' then s.lessons_completed
        when 'perfect_scores' then s.perfect_scores
        when 'skills_mastered' then s.skills_mastered
        when 'speed' then s.fast_answers
        when 'challenges_won' then s.challenges_won end as value) metric
    where s.user_id = (select auth.uid()) and (a.is_active or ua.unlocked_at is not null)
    order by ua.unlocked_at is null, a.display_order, a.name;
end
$$;
comment on function public.get_my_achievements() is
  'The signed-in learner''s achievements they may see, with progress (derived from their counters until '
  'unlocked) and when each was unlocked.';

revoke execute on function public.get_my_achievements() from public;
grant execute on function public.get_my_achievements() to authenticated, service_role;
