-- evaluate rewards per organization
--
-- Issue 14, item 4 (red-team findings). What members of an organization see
-- must count only what was learned there, under its rules. Three paths still
-- carried learning done elsewhere (in an organization the learner founded, on
-- questions they wrote) onto a real organization's boards:
--
-- * XP paid with no organization (streak milestones, platform-wide
--   achievements and challenges, service_role gifts) was attributed to the
--   learner's home organization (private.home_organization) by
--   private.apply_xp_change, although a streak or the global counters behind
--   it can be kept anywhere. Now XP with no organization counts on no
--   organization's board: it raises the learner's balance, lifetime XP and
--   level (xp_profiles), never organization_xp. private.award_learning_xp pays
--   learning of no organization under the platform's rules, not the home
--   organization's. The ledger records a null organization.
-- * finish_container paid its bonus in the home organization whatever the
--   container held. Now it pays in the organization of the container's
--   learning: the one organization every answered question of the session
--   belongs to, provided the session's course and lesson (if named) belong to
--   it too. Answers of several organizations, of platform questions only, or
--   a session naming another organization's course or lesson: paid with no
--   organization (no board), under the platform's rules.
-- * An organization's achievements and challenges were evaluated against
--   counters summed over every organization (xp_profiles, xp_activity_days).
--   Now public.organization_xp also keeps, per learner and organization, the
--   counters they read (correct and fast answers, lessons completed, perfect
--   scores, challenges won, and today's learning XP and counters), moved by
--   apply_xp_change in the one upsert it already made for the award's
--   organization (and by award_learning_xp's unpaid path for the answer
--   counters). An organization's achievements of xp_total, lessons_completed,
--   perfect_scores, speed and challenges_won, and its challenges, read those;
--   platform-wide ones (organization_id null) keep the global counters and pay
--   with no organization. Achievements of streak and skills_mastered still read
--   the learner's global streak and mastered skills (no per-organization count
--   exists yet; see docs/gamification.md).
-- * Platform-wide achievements unlocked (from the global counters) no longer
--   count on organizations' achievements boards: a board counts the
--   organization's own achievements only.
-- * The "last achievement unlocked" that bounds evaluation is now per criteria
--   and organization: user_achievements records the achievement's
--   organization at unlock (index (user_id, criteria, organization, target,
--   achievement_id)). An event still reads at most 10 candidates per criteria
--   and scope (the platform and each organization the learner belongs to) and
--   unlocks at most 10 per criteria.
--
-- Per answer: no statement added on the paid path (the organization_xp upsert
-- carries more columns); the capped (unpaid) path adds one organization_xp
-- upsert when the question has an organization.
-- Destructive: organization_xp is rebuilt from the ledger (XP of no
-- organization leaves the home organization's count; the new counters are
-- recovered from the ledger: answers that paid nothing and fast answers before
-- this migration are not recoverable and start at 0); board entries follow.

-- ---------------------------------------------------------------- organization_xp: the counters rewards read
alter table public.organization_xp
  add column correct_answers integer not null default 0 check (correct_answers >= 0),
  add column fast_answers integer not null default 0 check (fast_answers >= 0),
  add column lessons_completed integer not null default 0 check (lessons_completed >= 0),
  add column perfect_scores integer not null default 0 check (perfect_scores >= 0),
  add column challenges_won integer not null default 0 check (challenges_won >= 0),
  add column today_learning_xp integer not null default 0 check (today_learning_xp >= 0),
  add column today_correct_answers integer not null default 0 check (today_correct_answers >= 0),
  add column today_fast_answers integer not null default 0 check (today_fast_answers >= 0),
  add column today_lessons_completed integer not null default 0 check (today_lessons_completed >= 0),
  add column today_perfect_scores integer not null default 0 check (today_perfect_scores >= 0);
comment on column public.organization_xp.correct_answers is
  'Correct answers to this organization''s questions (what its speed-free answer achievements read).';
comment on column public.organization_xp.fast_answers is
  'Fast correct first tries on this organization''s questions (its speed achievements).';
comment on column public.organization_xp.lessons_completed is
  'This organization''s lessons completed with pay (its lessons_completed achievements).';
comment on column public.organization_xp.perfect_scores is
  'Perfect scores paid in this organization (its perfect_scores achievements).';
comment on column public.organization_xp.challenges_won is
  'This organization''s daily challenges won (its challenges_won achievements).';
comment on column public.organization_xp.today_learning_xp is
  'Learning XP earned here on the local day `today` (its xp_earned challenges).';
comment on column public.organization_xp.today_correct_answers is 'Correct answers here on the local day `today`.';
comment on column public.organization_xp.today_fast_answers is 'Fast answers here on the local day `today`.';
comment on column public.organization_xp.today_lessons_completed is 'Lessons completed here on the local day `today`.';
comment on column public.organization_xp.today_perfect_scores is 'Perfect scores here on the local day `today`.';
comment on table public.organization_xp is
  'XP a learner earned in one organization (lifetime, today, this week, the level it makes) and the counters its '
  'achievements and challenges read: what that organization''s boards, leagues, staff and rewards see. Written only '
  'by learnkit''s award path. XP of no organization counts here nowhere.';

-- ---------------------------------------------------------------- user_achievements: last unlock per organization
alter table public.user_achievements add column organization_id uuid;
comment on column public.user_achievements.organization_id is
  'Server-owned: the achievement''s organization (null: platform-wide), copied at unlock (index of the learner''s '
  'last unlock per criteria and organization).';
update public.user_achievements as ua set organization_id = a.organization_id
from public.achievements as a
where a.id = ua.achievement_id;
drop index public.user_achievements_last_unlock_idx;
create index user_achievements_last_unlock_idx on public.user_achievements (
  user_id, criteria, coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), target, achievement_id
) where unlocked_at is not null;

-- ---------------------------------------------------------------- the award path
create or replace function private.apply_xp_change(
  user_id uuid, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid, source_table text, source_id text, at timestamptz,
  correct_answers integer, fast_answers integer, lessons_completed integer, perfect_scores integer,
  criteria text[]
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  learner uuid := apply_xp_change.user_id;
  moment timestamptz := coalesce(apply_xp_change.at, now());
  stats public.xp_profiles;
  zone text;
  day date;
  day_started timestamptz;
  week date;
  earned integer := greatest(apply_xp_change.delta, 0);
  learned integer;
  entry public.xp_transactions;
  learning_today integer;
  earned_in uuid := apply_xp_change.organization_id;
begin
  if apply_xp_change.delta is null or apply_xp_change.delta = 0 or abs(apply_xp_change.delta) > 100000 then
    raise exception using errcode = '22023',
      message = format('XP delta must be a non-zero whole number between -100000 and 100000, not %s',
                       coalesce(apply_xp_change.delta::text, 'null'));
  end if;
  if apply_xp_change.category is null
     or apply_xp_change.category not in ('learning', 'hint', 'achievement', 'streak', 'bonus', 'challenge') then
    raise exception using errcode = '22023', message = format('unknown XP category %L', apply_xp_change.category),
      hint = 'Use learning, hint, achievement, streak, bonus or challenge.';
  end if;
  if apply_xp_change.idempotency_key is null or char_length(apply_xp_change.idempotency_key) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'an idempotency key of 1 to 200 characters is required';
  end if;
  if apply_xp_change.reason is null or char_length(btrim(apply_xp_change.reason)) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'a reason of 1 to 200 characters is required';
  end if;

  select * into stats from public.xp_profiles where user_id = learner for update;
  if not found then
    raise exception using errcode = 'P0002', message = format('no learner %s', learner);
  end if;
  select * into entry from public.xp_transactions t
  where t.user_id = learner and t.idempotency_key = apply_xp_change.idempotency_key;
  if found then
    return private.xp_result(entry, true);
  end if;
  if stats.xp + apply_xp_change.delta < 0 then
    raise exception using errcode = '23514',
      message = format('not enough XP for %s: balance %s, needs %s', apply_xp_change.reason, stats.xp,
                       -apply_xp_change.delta);
  end if;

  -- XP is earned in the award's organization only; XP of no organization counts on no board.
  learned := case when apply_xp_change.category = 'learning' then earned else 0 end;
  zone := coalesce((select time_zone from public.profiles where id = learner), 'UTC');
  select d.day, d.started_at into day, day_started
  from private.learner_day(zone, stats.today, stats.today_started_at, moment) d;
  week := day - (extract(isodow from day)::integer - 1);

  update public.xp_profiles set
    xp = xp + apply_xp_change.delta,
    lifetime_xp = lifetime_xp + earned,
    today_xp = case when today is null or day > today then earned when day = today then today_xp + earned
                    else today_xp end,
    today_started_at = case when today is null or day > today then day_started
                            else coalesce(today_started_at, day_started) end,
    today = greatest(coalesce(today, day), day),
    week_xp = case when week_start is null or week > week_start then earned when week = week_start then week_xp + earned
                   else week_xp end,
    week_start = greatest(coalesce(week_start, week), week),
    last_award_at = moment,
    correct_answers = correct_answers + apply_xp_change.correct_answers,
    fast_answers = fast_answers + apply_xp_change.fast_answers,
    lessons_completed = lessons_completed + apply_xp_change.lessons_completed,
    perfect_scores = perfect_scores + apply_xp_change.perfect_scores
  where user_id = learner
  returning * into stats;

  insert into public.xp_transactions (user_id, organization_id, kind, category, amount, reason, balance_after,
    lifetime_xp_after, level_after, local_day, source_table, source_id, idempotency_key, created_at)
  values (learner, earned_in, case when apply_xp_change.delta > 0 then 'earned' else 'spent' end,
    apply_xp_change.category, abs(apply_xp_change.delta), btrim(apply_xp_change.reason), stats.xp, stats.lifetime_xp,
    stats.level, day, apply_xp_change.source_table, apply_xp_change.source_id, apply_xp_change.idempotency_key, moment)
  returning * into entry;

  -- The organization's own count of this learner's XP and learning: its boards, leagues, staff, achievements and
  -- challenges read it.
  if earned > 0 and earned_in is not null then
    insert into public.organization_xp as o (user_id, organization_id, lifetime_xp, today, today_xp, week_start,
      week_xp, correct_answers, fast_answers, lessons_completed, perfect_scores, today_learning_xp,
      today_correct_answers, today_fast_answers, today_lessons_completed, today_perfect_scores, updated_at)
    select learner, earned_in, earned, day, earned, week, earned, apply_xp_change.correct_answers,
      apply_xp_change.fast_answers, apply_xp_change.lessons_completed, apply_xp_change.perfect_scores, learned,
      apply_xp_change.correct_answers, apply_xp_change.fast_answers, apply_xp_change.lessons_completed,
      apply_xp_change.perfect_scores, moment
    where exists (select from public.organizations where id = earned_in)
    on conflict (user_id, organization_id) do update set
      lifetime_xp = o.lifetime_xp + excluded.lifetime_xp,
      today_xp = case when o.today is null or excluded.today > o.today then excluded.today_xp
                      when excluded.today = o.today then o.today_xp + excluded.today_xp else o.today_xp end,
      today_learning_xp = case when o.today is null or excluded.today > o.today then excluded.today_learning_xp
                               when excluded.today = o.today then o.today_learning_xp + excluded.today_learning_xp
                               else o.today_learning_xp end,
      today_correct_answers = case
        when o.today is null or excluded.today > o.today then excluded.today_correct_answers
        when excluded.today = o.today then o.today_correct_answers + excluded.today_correct_answers
        else o.today_correct_answers end,
      today_fast_answers = case
        when o.today is null or excluded.today > o.today then excluded.today_fast_answers
        when excluded.today = o.today then o.today_fast_answers + excluded.today_fast_answers
        else o.today_fast_answers end,
      today_lessons_completed = case
        when o.today is null or excluded.today > o.today then excluded.today_lessons_completed
        when excluded.today = o.today then o.today_lessons_completed + excluded.today_lessons_completed
        else o.today_lessons_completed end,
      today_perfect_scores = case
        when o.today is null or excluded.today > o.today then excluded.today_perfect_scores
        when excluded.today = o.today then o.today_perfect_scores + excluded.today_perfect_scores
        else o.today_perfect_scores end,
      today = greatest(coalesce(o.today, excluded.today), excluded.today),
      week_xp = case when o.week_start is null or excluded.week_start > o.week_start then excluded.week_xp
                     when excluded.week_start = o.week_start then o.week_xp + excluded.week_xp else o.week_xp end,
      week_start = greatest(coalesce(o.week_start, excluded.week_start), excluded.week_start),
      correct_answers = o.correct_answers + excluded.correct_answers,
      fast_answers = o.fast_answers + excluded.fast_answers,
      lessons_completed = o.lessons_completed + excluded.lessons_completed,
      perfect_scores = o.perfect_scores + excluded.perfect_scores,
      updated_at = excluded.updated_at;
  end if;

  insert into public.xp_activity_days as d (user_id, local_day, time_zone, earned_xp, learning_xp, spent_xp,
    first_activity_at, correct_answers, fast_answers, lessons_completed, perfect_scores)
  values (learner, day, zone, earned, learned, greatest(-apply_xp_change.delta, 0),
    case when learned > 0 then moment end,
    apply_xp_change.correct_answers, apply_xp_change.fast_answers, apply_xp_change.lessons_completed,
    apply_xp_change.perfect_scores)
  on conflict (user_id, local_day) do update set
    earned_xp = d.earned_xp + excluded.earned_xp,
    learning_xp = d.learning_xp + excluded.learning_xp,
    spent_xp = d.spent_xp + excluded.spent_xp,
    first_activity_at = coalesce(d.first_activity_at, excluded.first_activity_at),
    correct_answers = d.correct_answers + excluded.correct_answers,
    fast_answers = d.fast_answers + excluded.fast_answers,
    lessons_completed = d.lessons_completed + excluded.lessons_completed,
    perfect_scores = d.perfect_scores + excluded.perfect_scores
  returning learning_xp into learning_today;

  insert into public.analytics_events (user_id, organization_id, event_type, event_data)
  values (learner, earned_in, 'xp.' || entry.kind, jsonb_build_object(
    'transaction_id', entry.id, 'category', entry.category, 'amount', entry.amount, 'reason', entry.reason,
    'balance', entry.balance_after, 'level', entry.level_after, 'local_day', day));

  if learned > 0 and learning_today = earned then
    perform private.record_activity_day(learner, day, moment);
  end if;
  if earned > 0 then
    perform private.evaluate_achievements(learner, array['xp_total'] || coalesce(apply_xp_change.criteria, '{}'),
                                          moment);
  elsif cardinality(apply_xp_change.criteria) > 0 then
    perform private.evaluate_achievements(learner, apply_xp_change.criteria, moment);
  end if;
  if learned > 0 then
    perform private.evaluate_challenges(learner, day, moment);
  end if;
  return private.xp_result(entry, false);
end
$$;

comment on function private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer,
  integer, integer, integer, text[]) is
  'The body of increment_xp: the learner''s balance and global counters, the ledger, and (for the award''s '
  'organization only; none: no board) that organization''s XP and counters in one upsert; then the award''s '
  'achievement criteria with xp_total and the day''s challenges. learnkit''s own functions only.';
comment on function private.home_organization(uuid) is
  'The organization a learner first joined as a student (null if none): its rules and board take their answers to '
  'platform questions (no organization). XP paid with no organization is no longer counted there.';

create or replace function private.award_learning_xp(
  learner uuid, amount integer, reason text, idempotency_key text, organization uuid, source_table text,
  source_id text, at timestamptz, criteria text[] default '{}', correct integer default 0, fast integer default 0,
  lessons integer default 0, perfect integer default 0
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- Learning of no organization is paid under the platform's rules (no organization's the learner controls).
  rules public.gamification_settings := private.gamification_rules(organization);
  day date := private.local_day(learner, at);
  earned_today integer;
  recent integer;
  paid integer;
  result jsonb;
begin
  if amount > 0 then
    select count(*) into recent from (
      select from public.xp_transactions
      where user_id = learner and category = 'learning' and kind = 'earned'
        and created_at > at - make_interval(secs => rules.rate_limit_window_seconds)
      limit rules.rate_limit_awards) recent_awards;
    if recent >= rules.rate_limit_awards then
      raise exception using errcode = 'PT429',
        message = format('too many XP awards: at most %s per %s seconds', rules.rate_limit_awards,
                         rules.rate_limit_window_seconds),
        hint = 'Wait a little and submit again with the same idempotency key.';
    end if;
  end if;
  earned_today := coalesce((select learning_xp from public.xp_activity_days where user_id = learner and local_day = day), 0);
  paid := greatest(least(amount, rules.daily_xp_cap - earned_today), 0);
  if paid > 0 then
    result := private.apply_xp_change(learner, paid, reason, 'learning', idempotency_key, organization,
      source_table, source_id, at, correct, fast, lessons, perfect, criteria);
  else
    -- Nothing paid: a correct (or fast) answer still counts as one; lessons and perfect scores do not.
    if correct <> 0 or fast <> 0 then
      perform private.bump_learning_counters(learner, at, correct, fast);
      if organization is not null then
        -- ... in its organization too (today's counters only if its day there is this one).
        insert into public.organization_xp as o (user_id, organization_id, correct_answers, fast_answers)
        select learner, organization, correct, fast
        where exists (select from public.organizations where id = organization)
        on conflict (user_id, organization_id) do update set
          correct_answers = o.correct_answers + excluded.correct_answers,
          fast_answers = o.fast_answers + excluded.fast_answers,
          today_correct_answers = o.today_correct_answers
                                  + case when o.today = day then excluded.correct_answers else 0 end,
          today_fast_answers = o.today_fast_answers + case when o.today = day then excluded.fast_answers else 0 end,
          updated_at = at;
      end if;
    end if;
    perform private.evaluate_challenges(learner, day, at);
    criteria := array_remove(array_remove(criteria, 'lessons_completed'), 'perfect_scores');
    if (correct <> 0 or fast <> 0) and cardinality(criteria) > 0 then
      perform private.evaluate_achievements(learner, criteria, at);
    end if;
  end if;
  return coalesce(result, '{}'::jsonb) || jsonb_build_object('awarded', paid, 'capped', paid < amount);
end
$$;
comment on function private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer,
  integer, integer, integer) is
  'Learning XP under the rate limit and the daily cap of the organization it is earned in (the platform''s with '
  'none), with the counters of what earned it (lessons and perfect scores only when paid).';

-- ---------------------------------------------------------------- achievements: per-organization counters
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
      -- The counters each scope's achievements read: the platform's (organization null) the learner's global ones;
      -- an organization's what the learner did there. Streak and mastered skills are global for both.
      with scope as (
        select null::uuid as organization_id, least(s.lifetime_xp, 2147483647)::integer as xp_total,
               s.best_streak as streak, s.lessons_completed, s.perfect_scores, s.skills_mastered,
               s.fast_answers as speed, s.challenges_won
        from public.xp_profiles s
        where s.user_id = learner
        union all
        select m.organization_id, least(coalesce(o.lifetime_xp, 0), 2147483647)::integer, s.best_streak,
               coalesce(o.lessons_completed, 0), coalesce(o.perfect_scores, 0), s.skills_mastered,
               coalesce(o.fast_answers, 0), coalesce(o.challenges_won, 0)
        from public.organization_members m
        join public.xp_profiles s on s.user_id = m.user_id
        left join public.organization_xp o on o.user_id = m.user_id and o.organization_id = m.organization_id
        where m.user_id = learner
      ),
      metric as (
        select c.criterion, scope.organization_id, case c.criterion
            when 'xp_total' then scope.xp_total
            when 'streak' then scope.streak
            when 'lessons_completed' then scope.lessons_completed
            when 'perfect_scores' then scope.perfect_scores
            when 'skills_mastered' then scope.skills_mastered
            when 'speed' then scope.speed
            when 'challenges_won' then scope.challenges_won end as value,
          coalesce(last.target, 0) as last_target,
          coalesce(last.achievement_id, '00000000-0000-0000-0000-000000000000'::uuid) as last_id
        from (select distinct unnest(pass) as criterion) c
        cross join scope
        left join lateral (
          select ua.target, ua.achievement_id from public.user_achievements ua
          where ua.user_id = learner and ua.criteria = c.criterion and ua.unlocked_at is not null
            and coalesce(ua.organization_id, '00000000-0000-0000-0000-000000000000'::uuid)
                = coalesce(scope.organization_id, '00000000-0000-0000-0000-000000000000'::uuid)
          order by ua.target desc, ua.achievement_id desc
          limit 1) last on true
      ),
      candidate as (
        select metric.criterion, a.id, a.target, a.name, a.xp_reward, a.organization_id
        from metric
        cross join lateral (
          (select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.achievements a
           where metric.organization_id is null
             and a.is_active and a.criteria = metric.criterion and a.organization_id is null
             and (a.target, a.id) > (metric.last_target, metric.last_id) and a.target <= metric.value
           order by a.target, a.id
           limit per_criterion)
          union all
          (select a.id, a.target, a.name, a.xp_reward, a.organization_id from public.achievements a
           where a.is_active and a.criteria = metric.criterion and a.organization_id = metric.organization_id
             and (a.target, a.id) > (metric.last_target, metric.last_id) and a.target <= metric.value
           order by a.target, a.id
           limit per_criterion)) a
        where metric.value > 0
      ),
      picked as (
        select criterion, id, target, name, xp_reward, organization_id from (
          select candidate.*, row_number() over (partition by criterion order by target, id) as n from candidate) c
        where n <= per_criterion
      ),
      inserted as (
        insert into public.user_achievements as ua (user_id, achievement_id, criteria, organization_id, progress,
          target, unlocked_at, updated_at)
        select learner, picked.id, picked.criterion, picked.organization_id, picked.target, picked.target, at, at
        from picked
        on conflict (user_id, achievement_id) do update
          set criteria = excluded.criteria, organization_id = excluded.organization_id,
              progress = excluded.progress, target = excluded.target,
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
        -- Paid in the achievement's organization; a platform-wide one with no organization (no board).
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
  'Unlocks (once, with reward) a learner''s achievements of the given criteria that the counters of their scope '
  'reach (an organization''s: what was done there; the platform''s: the global ones): above the last one unlocked '
  'of each criteria and scope, at most 10 per criteria per call, one xp_total pass for the rewards.';

-- ---------------------------------------------------------------- challenges: per-organization counters
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
  -- The platform's challenges read the learner's day everywhere; an organization's, what they did there that day.
  insert into public.challenge_progress as p (user_id, challenge_id, progress, target)
  select learner, c.id, least(c.value, c.target), c.target
  from (
    select g.id, g.target, case g.challenge_type
        when 'correct_answers' then d.correct_answers
        when 'xp_earned' then d.learning_xp
        when 'lessons_completed' then d.lessons_completed
        when 'perfect_scores' then d.perfect_scores
        when 'fast_answers' then d.fast_answers end as value
    from public.xp_activity_days d
    join public.daily_challenges g on g.organization_id is null and g.challenge_date = d.local_day and g.is_active
    where d.user_id = learner and d.local_day = day
    union all
    select g.id, g.target, case g.challenge_type
        when 'correct_answers' then o.today_correct_answers
        when 'xp_earned' then o.today_learning_xp
        when 'lessons_completed' then o.today_lessons_completed
        when 'perfect_scores' then o.today_perfect_scores
        when 'fast_answers' then o.today_fast_answers end
    from public.organization_members m
    join public.organization_xp o on o.user_id = m.user_id and o.organization_id = m.organization_id and o.today = day
    join public.daily_challenges g
      on g.organization_id = m.organization_id and g.challenge_date = day and g.is_active
    where m.user_id = learner) c
  where c.value > 0
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
    -- Paid in the challenge's organization; a platform-wide one with no organization (no board).
    reward := private.increment_xp(learner, won.xp_reward, 'daily challenge: ' || won.name, 'challenge',
      'challenge:' || won.challenge_id, won.organization_id, 'daily_challenges', won.challenge_id::text, at);
    update public.challenge_progress set reward_transaction_id = (reward ->> 'transaction_id')::bigint
    where user_id = learner and challenge_id = won.challenge_id;
    if won.organization_id is not null then
      insert into public.organization_xp as o (user_id, organization_id, challenges_won)
      select learner, won.organization_id, 1
      on conflict (user_id, organization_id) do update set challenges_won = o.challenges_won + 1, updated_at = at;
    end if;
  end loop;
  if count_won > 0 then
    update public.xp_profiles set challenges_won = challenges_won + count_won where user_id = learner;
    perform private.evaluate_achievements(learner, array['challenges_won'], at);
  end if;
  return count_won;
end
$$;
comment on function private.evaluate_challenges(uuid, date, timestamptz) is
  'Updates a learner''s progress on the day''s challenges of their organizations (from what they did there that '
  'day) and the platform''s (from their whole day); pays each bonus once, in the challenge''s organization.';

-- ---------------------------------------------------------------- containers: paid where the learning was
create or replace function private.finish_container_for(learner uuid, session uuid, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  moment timestamptz := coalesce(at, now());
  item public.learning_sessions;
  done jsonb;
  answered integer;
  learned integer;
  perfect boolean;
  scopes integer;
  organization uuid;
  rules public.gamification_settings;
  completion jsonb := '{}';
  bonus jsonb := '{}';
  awarded integer;
  result jsonb;
begin
  perform 1 from public.xp_profiles where user_id = learner for update;
  select result into done from private.completion_awards
  where user_id = learner and item_kind = 'container' and item_id = session;
  if found then
    return done || '{"replayed": true}';
  end if;
  select * into item from public.learning_sessions where id = session and user_id = learner for update;
  if not found then
    raise exception using errcode = 'P0002', message = format('learning session %s not found', session);
  end if;
  if item.session_type <> 'container' then
    raise exception using errcode = '22023', message = format('session %s is a %s session, not a container', session,
      item.session_type);
  end if;
  if item.status not in ('active', 'paused') then
    raise exception using errcode = '23514', message = format('session %s is already %s', session, item.status);
  end if;
  select count(*),
         count(*) filter (where a.award_rule in ('correct_first_try', 'correct_second_try', 'correct_later_try',
                                                 'daily_cap')),
         bool_and(a.is_correct) filter (where a.attempt_number = 1),
         count(distinct coalesce(q.organization_id, '00000000-0000-0000-0000-000000000000'::uuid)),
         min(q.organization_id::text)::uuid
  into answered, learned, perfect, scopes, organization
  from public.answer_attempts a
  left join public.questions q on q.id = a.question_id
  where a.session_id = session and a.user_id = learner;
  if answered = 0 then
    raise exception using errcode = '23514', message = 'answer at least one question before finishing the container';
  end if;
  -- The container is paid in the organization of its learning: the one organization all its answered questions
  -- belong to, and its course and lesson if it names them. Otherwise (several, or platform questions) in none.
  if scopes <> 1
     or (item.course_id is not null and organization is distinct from
         (select c.organization_id from public.courses c where c.id = item.course_id))
     or (item.lesson_id is not null and organization is distinct from
         (select l.organization_id from public.lessons l where l.id = item.lesson_id)) then
    organization := null;
  end if;
  -- Only new correct learning pays: a container of questions answered before finishes with nothing.
  perfect := learned > 0 and coalesce(perfect, false);
  if learned > 0 then
    rules := private.gamification_rules(organization);
    completion := private.award_learning_xp(learner, rules.container_complete, 'container complete',
      'session:' || session, organization, 'learning_sessions', session::text, moment);
    if perfect then
      bonus := private.award_learning_xp(learner, rules.perfect_score, 'perfect score', 'session-perfect:' || session,
        organization, 'learning_sessions', session::text, moment, array['perfect_scores'], perfect => 1);
    end if;
  end if;
  awarded := coalesce((completion ->> 'awarded')::integer, 0) + coalesce((bonus ->> 'awarded')::integer, 0);
  update public.learning_sessions set status = 'completed',
    xp_earned = awarded + coalesce((select sum(xp_awarded) from public.answer_attempts where session_id = session), 0)
  where id = session;
  result := jsonb_build_object('session_id', session, 'perfect', perfect, 'xp_awarded', awarded,
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
  insert into private.completion_awards (user_id, item_kind, item_id, result, completed_at)
  values (learner, 'container', session, result, moment);
  return result;
end
$$;
comment on function private.finish_container_for(uuid, uuid, timestamptz) is
  'Finishes a learner''s container session with at least one answer; pays container complete (+ perfect) once, '
  'only when it holds new correct learning, in the organization of that learning (none when it spans several).';

-- ---------------------------------------------------------------- achievements boards: an organization's own
create or replace function private.trigger_count_unlocked_achievement() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner uuid;
begin
  if new.unlocked_at is null or (tg_op = 'UPDATE' and old.unlocked_at is not null) then
    return null;
  end if;
  select a.organization_id into owner from public.achievements a where a.id = new.achievement_id;
  if owner is not null then  -- a platform-wide achievement (global counters) counts on no board
    insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
    select new.user_id, owner, 1
    on conflict (user_id, organization_id) do update set
      achievements_unlocked = o.achievements_unlocked + 1, updated_at = now();
    update private.leaderboard_entries set achievements_unlocked = achievements_unlocked + 1
    where user_id = new.user_id and organization_id = owner;
  end if;
  return null;
end
$$;
comment on function private.trigger_count_unlocked_achievement() is
  'user_achievements: an unlock counts on its organization''s achievements board (a platform-wide one on none).';

create or replace function private.trigger_mirror_membership() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.role = 'student' then
    delete from private.leaderboard_entries where user_id = old.user_id and organization_id = old.organization_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.role = 'student' then
    insert into private.leaderboard_entries (user_id, organization_id, grade_level, time_zone, lifetime_xp, today,
      today_xp, week_start, week_xp, current_streak, streak_last_day, achievements_unlocked, nickname, avatar_url,
      leaderboard_opt_out)
    select p.id, new.organization_id, p.grade_level, p.time_zone, coalesce(o.lifetime_xp, 0), o.today,
           coalesce(o.today_xp, 0), o.week_start, coalesce(o.week_xp, 0), s.current_streak, s.streak_last_day,
           coalesce(o.achievements_unlocked, 0), p.nickname, p.avatar_url, s.leaderboard_opt_out
    from public.profiles p
    join public.xp_profiles s on s.user_id = p.id
    left join public.organization_xp o on o.user_id = p.id and o.organization_id = new.organization_id
    where p.id = new.user_id
    on conflict do nothing;
  end if;
  return null;
end
$$;

-- ---------------------------------------------------------------- repairs
create or replace function private.rebuild_organization_xp(learners uuid[]) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  rebuilt bigint;
begin
  delete from public.organization_xp where user_id = any (learners);
  with earned as (
    select t.user_id, t.organization_id, t.amount, t.category, t.source_table, t.reason, t.local_day,
           t.local_day - (extract(isodow from t.local_day)::integer - 1) as week_start
    from public.xp_transactions t
    where t.user_id = any (learners) and t.kind = 'earned' and t.organization_id is not null
      and t.organization_id in (select o.id from public.organizations o)
  ), counted as (
    select e.*, case when e.source_table = 'answer_attempts' then 1 else 0 end as correct,
           case when e.category = 'learning' and e.reason = 'lesson complete' then 1 else 0 end as lessons,
           case when e.category = 'learning' and e.reason = 'perfect score' then 1 else 0 end as perfect,
           case when e.category = 'challenge' then 1 else 0 end as won,
           case when e.category = 'learning' then e.amount else 0 end as learned
    from earned e
  ), latest as (
    select c.user_id, c.organization_id, max(c.local_day) as today, max(c.week_start) as week_start
    from counted c
    group by c.user_id, c.organization_id
  )
  insert into public.organization_xp (user_id, organization_id, lifetime_xp, today, today_xp, week_start, week_xp,
    correct_answers, lessons_completed, perfect_scores, challenges_won, today_learning_xp, today_correct_answers,
    today_lessons_completed, today_perfect_scores)
  select l.user_id, l.organization_id, sum(c.amount), l.today,
         coalesce(sum(c.amount) filter (where c.local_day = l.today), 0), l.week_start,
         coalesce(sum(c.amount) filter (where c.week_start = l.week_start), 0),
         sum(c.correct), sum(c.lessons), sum(c.perfect), sum(c.won),
         coalesce(sum(c.learned) filter (where c.local_day = l.today), 0),
         coalesce(sum(c.correct) filter (where c.local_day = l.today), 0),
         coalesce(sum(c.lessons) filter (where c.local_day = l.today), 0),
         coalesce(sum(c.perfect) filter (where c.local_day = l.today), 0)
  from latest l
  join counted c on c.user_id = l.user_id and c.organization_id = l.organization_id
  group by l.user_id, l.organization_id, l.today, l.week_start;
  get diagnostics rebuilt = row_count;
  insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
  select ua.user_id, a.organization_id, count(*)
  from public.user_achievements ua
  join public.achievements a on a.id = ua.achievement_id
  where ua.user_id = any (learners) and ua.unlocked_at is not null and a.organization_id is not null
  group by ua.user_id, a.organization_id
  on conflict (user_id, organization_id) do update set achievements_unlocked = excluded.achievements_unlocked;
  update private.leaderboard_entries e
  set achievements_unlocked = coalesce((select o.achievements_unlocked from public.organization_xp o
                                        where o.user_id = e.user_id and o.organization_id = e.organization_id), 0)
  where e.user_id = any (learners);
  -- Entries of organizations where they earned nothing show 0.
  update private.leaderboard_entries e set lifetime_xp = 0, today = null, today_xp = 0, week_start = null, week_xp = 0
  where e.user_id = any (learners)
    and not exists (select from public.organization_xp o
                    where o.user_id = e.user_id and o.organization_id = e.organization_id)
    and (e.lifetime_xp, e.today_xp, e.week_xp) is distinct from (0, 0, 0);
  return rebuilt;
end
$$;
comment on function private.rebuild_organization_xp(uuid[]) is
  'Recomputes the learners'' organization_xp from the ledger (XP of no organization counts nowhere; correct '
  'answers, lessons, perfect scores and challenges won from the rows that paid them; unpaid and fast answers are '
  'not in the ledger) and achievements unlocked, and their board entries. For restores and repairs.';

-- ---------------------------------------------------------------- backfill
select private.rebuild_organization_xp(array(select x.user_id from public.xp_profiles as x));
