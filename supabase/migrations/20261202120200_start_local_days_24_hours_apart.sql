-- start local days 24 hours apart
--
-- Issue 14, item 7. A learner's local day (the daily XP cap, today's XP, the
-- activity day a streak counts, free hints, daily challenges) was the calendar
-- date in profiles.time_zone at the moment of each award, so a learner who had
-- earned the day's cap could move their time zone east, make "today" tomorrow
-- and earn a second cap and a second activity day within one real day (or
-- move it west and reopen yesterday, with its unspent cap).
--
-- The rule (docs/gamification.md): a learner's local day starts at local
-- midnight in their time zone, but never sooner than 24 real hours after the
-- start of their previous local day, and it never goes back. xp_profiles gains
-- today_started_at, the real moment their current day (`today`) began:
--   * at a moment before today_started_at (a backfill with an `at` argument):
--     the calendar date there (never after `today`), as before, and nothing moves;
--   * if the calendar date in the current zone is after `today` and at least
--     24 hours have passed since today_started_at: that date, starting at the
--     later of its local midnight and today_started_at + 24 hours;
--   * otherwise: still `today` (a move east waits until 24 hours have passed;
--     a move west stretches the day until the new zone's calendar catches up).
-- Without a zone change a day starts at each local midnight, as before; after a
-- 23-hour daylight-saving day the next one starts an hour after midnight.
-- private.local_day(learner, at), which the award path's cap, hints and
-- challenges use, applies the same rule; private.apply_xp_change records it.
-- Backfills today_started_at from the time zone each learner's current day was
-- recorded in (one update of the profiles with a `today`).

-- ---------------------------------------------------------------- column
alter table public.xp_profiles add column today_started_at timestamptz;
comment on column public.xp_profiles.today_started_at is
  'The real moment the learner''s current local day (today) began: local midnight, but never sooner than 24 '
  'hours after the previous day began (docs/gamification.md, time zones).';

update public.xp_profiles as x
set today_started_at = least(x.today::timestamp at time zone coalesce(d.time_zone, p.time_zone, 'UTC'), now())
from public.profiles as p
left join public.xp_activity_days as d on d.user_id = p.id
where p.id = x.user_id and x.today is not null and (d.local_day = x.today or d.local_day is null);

update public.xp_profiles as x
set today_started_at = least(x.today::timestamp at time zone 'UTC', now())
where x.today is not null and x.today_started_at is null;

-- ---------------------------------------------------------------- the rule
create function private.learner_day(
  zone text, today date, today_started_at timestamptz, at timestamptz, out day date, out started_at timestamptz
)
language plpgsql stable
set search_path = ''
as $$
declare
  calendar_day date := (at at time zone zone)::date;
  previous_start timestamptz := coalesce(today_started_at, today::timestamp at time zone zone);
begin
  if today is null then
    day := calendar_day;  -- a first day
    started_at := calendar_day::timestamp at time zone zone;
  elsif at < previous_start then
    day := least(calendar_day, today);  -- a moment before the current day began (a backfill): its own date
    started_at := previous_start;
  elsif calendar_day > today and at >= previous_start + interval '24 hours' then
    day := calendar_day;
    started_at := greatest(calendar_day::timestamp at time zone zone, previous_start + interval '24 hours');
  else
    day := today;
    started_at := previous_start;
  end if;
end
$$;
comment on function private.learner_day(text, date, timestamptz, timestamptz) is
  'A learner''s local day at a moment, given their zone and current day: local midnight starts a day, never '
  'sooner than 24 hours after the previous one started, and days never go back. Returns the day and its start.';

create or replace function private.local_day(learner uuid, at timestamptz) returns date
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  zone text;
  current_day date;
  current_start timestamptz;
begin
  select coalesce(p.time_zone, 'UTC'), x.today, x.today_started_at into zone, current_day, current_start
  from public.profiles p left join public.xp_profiles x on x.user_id = p.id
  where p.id = learner;
  return (private.learner_day(coalesce(zone, 'UTC'), current_day, current_start, at)).day;
end
$$;
comment on function private.local_day(uuid, timestamptz) is
  'The learner''s local day at a moment: their time zone''s date, but a new day starts no sooner than 24 hours '
  'after the previous one (private.learner_day).';

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
  entry public.xp_transactions;
  learning_today integer;
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
  values (learner, apply_xp_change.organization_id, case when apply_xp_change.delta > 0 then 'earned' else 'spent' end,
    apply_xp_change.category, abs(apply_xp_change.delta), btrim(apply_xp_change.reason), stats.xp, stats.lifetime_xp,
    stats.level, day, apply_xp_change.source_table, apply_xp_change.source_id, apply_xp_change.idempotency_key, moment)
  returning * into entry;

  insert into public.xp_activity_days as d (user_id, local_day, time_zone, earned_xp, learning_xp, spent_xp,
    first_activity_at, correct_answers, fast_answers, lessons_completed, perfect_scores)
  values (learner, day, zone, earned, case when apply_xp_change.category = 'learning' then earned else 0 end,
    greatest(-apply_xp_change.delta, 0),
    case when apply_xp_change.category = 'learning' and earned > 0 then moment end,
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
  values (learner, apply_xp_change.organization_id, 'xp.' || entry.kind, jsonb_build_object(
    'transaction_id', entry.id, 'category', entry.category, 'amount', entry.amount, 'reason', entry.reason,
    'balance', entry.balance_after, 'level', entry.level_after, 'local_day', day));

  if apply_xp_change.category = 'learning' and earned > 0 and learning_today = earned then
    perform private.record_activity_day(learner, day, moment);
  end if;
  if earned > 0 then
    perform private.evaluate_achievements(learner, array['xp_total'] || coalesce(apply_xp_change.criteria, '{}'),
                                          moment);
  elsif cardinality(apply_xp_change.criteria) > 0 then
    perform private.evaluate_achievements(learner, apply_xp_change.criteria, moment);
  end if;
  if apply_xp_change.category = 'learning' and earned > 0 then
    perform private.evaluate_challenges(learner, day, moment);
  end if;
  return private.xp_result(entry, false);
end
$$;

revoke execute on function private.learner_day(text, date, timestamptz, timestamptz) from public;
grant execute on function private.learner_day(text, date, timestamptz, timestamptz) to service_role;
