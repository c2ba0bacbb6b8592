-- streamline answer award
--
-- A correct answer used to update the learner's xp_profiles row twice (the
-- answer counters, then the XP: each update recomputing the generated level
-- columns and firing the leaderboard mirror check), upsert the day's
-- xp_activity_days row twice, evaluate achievements twice and look up the time
-- zone and the rules three times each; its progress trigger wrote the question's
-- progress row twice (insert, then update). Now:
--
-- * private.apply_xp_change is increment_xp's body, taking the learning
--   counters an award adds (correct, fast, lessons, perfect) and the extra
--   achievement criteria to evaluate, so an award is one xp_profiles update, one
--   activity-day upsert and one achievement evaluation. private.increment_xp
--   keeps its signature and rules and calls it with no counters: it is still the
--   one entry point for XP; apply_xp_change is private to learnkit's functions.
-- * private.award_learning_xp takes those counters: folded into the XP change
--   when XP is paid, bumped on their own when it is not (daily cap).
-- * The answer trigger asks one question of the learner's earlier attempts
--   (how many, any correct) instead of two.
-- * The progress trigger writes question_progress with one upsert.
--
-- Rules, results, ledger rows and errors are unchanged (the gamification and
-- progress tests pass unchanged).

create function private.apply_xp_change(
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
  day := (moment at time zone zone)::date;
  week := day - (extract(isodow from day)::integer - 1);

  update public.xp_profiles set
    xp = xp + apply_xp_change.delta,
    lifetime_xp = lifetime_xp + earned,
    today_xp = case when today is null or day > today then earned when day = today then today_xp + earned
                    else today_xp end,
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
comment on function private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer,
  integer, integer, integer, text[]) is
  'The body of increment_xp, also folding an award''s learning counters into the same update and evaluating the '
  'award''s achievement criteria with xp_total. learnkit''s own functions only.';

create or replace function private.increment_xp(
  user_id uuid, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid default null, source_table text default null, source_id text default null,
  at timestamptz default null
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  return private.apply_xp_change(user_id, delta, reason, category, idempotency_key, organization_id, source_table,
    source_id, at, 0, 0, 0, 0, '{}');
end
$$;

drop function private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[]);
-- Learning XP under the rate limit and the daily cap, with the learning
-- counters of what earned it; evaluates challenges and the achievements of the
-- given criteria whether or not XP was paid.
create function private.award_learning_xp(
  learner uuid, amount integer, reason text, idempotency_key text, organization uuid, source_table text,
  source_id text, at timestamptz, criteria text[] default '{}', correct integer default 0, fast integer default 0,
  lessons integer default 0, perfect integer default 0
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  rules public.gamification_settings := private.gamification_rules(coalesce(organization, private.home_organization(learner)));
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
    if correct <> 0 or fast <> 0 or lessons <> 0 or perfect <> 0 then
      perform private.bump_learning_counters(learner, at, correct, fast, lessons, perfect);
    end if;
    perform private.evaluate_challenges(learner, day, at);
    if cardinality(criteria) > 0 then
      perform private.evaluate_achievements(learner, criteria, at);
    end if;
  end if;
  return coalesce(result, '{}'::jsonb) || jsonb_build_object('awarded', paid, 'capped', paid < amount);
end
$$;

create or replace function private.trigger_award_answer_attempt() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  earlier_attempts integer;
  answered_before boolean;
  tries integer;
  item_organization uuid;
  rules public.gamification_settings;
  amount integer;
  fast integer;
  result jsonb;
begin
  new.xp_awarded := 0;
  if new.is_correct is null then
    new.award_rule := 'ungraded';
    return new;
  elsif not new.is_correct then
    new.award_rule := 'incorrect';
    return new;
  end if;
  -- One learner's attempts are judged one at a time, across devices and sessions.
  perform 1 from public.xp_profiles where user_id = new.user_id for update;
  select count(*), coalesce(bool_or(is_correct), false) into earlier_attempts, answered_before
  from public.answer_attempts
  where user_id = new.user_id and question_id = new.question_id;
  if answered_before then
    new.award_rule := 'already_answered';
    return new;
  end if;
  tries := 1 + earlier_attempts;
  item_organization := coalesce((select organization_id from public.questions where id = new.question_id),
                                private.home_organization(new.user_id));
  rules := private.gamification_rules(item_organization);
  amount := case tries when 1 then rules.correct_first_try when 2 then rules.correct_second_try
                       else rules.correct_later_try end;
  new.award_rule := case tries when 1 then 'correct_first_try' when 2 then 'correct_second_try'
                               else 'correct_later_try' end;
  fast := case when tries = 1 and new.response_time_ms <= rules.fast_answer_ms then 1 else 0 end;
  result := private.award_learning_xp(new.user_id, amount, replace(new.award_rule, '_', ' '),
    'attempt:' || new.id, item_organization, 'answer_attempts', new.id::text, new.answered_at,
    case when fast = 1 then array['speed'] else '{}'::text[] end, correct => 1, fast => fast);
  new.xp_awarded := (result ->> 'awarded')::integer;
  if (result ->> 'capped')::boolean then
    new.award_rule := 'daily_cap';
  end if;
  return new;
end
$$;

create or replace function private.trigger_record_attempt_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  skill public.skill_progress;
  concept uuid;
  local_today date;
  quality integer := private.attempt_quality(new.is_correct, new.response_time_ms, new.hints_used);
  correct integer := case when new.is_correct then 1 else 0 end;
  first_schedule record;
  schedule record;
begin
  if new.is_correct is null then
    return null;  -- not gradable yet (no key): graded later by the server
  end if;
  select q.concept_id, (new.answered_at at time zone p.time_zone)::date into concept, local_today
  from public.questions q, public.profiles p
  where q.id = new.question_id and p.id = new.user_id;

  -- A first attempt starts from the column defaults (ease 2.50, no interval, no repetitions).
  first_schedule := public.sm2_schedule(2.50, null, 0, quality);
  insert into public.question_progress as item (user_id, question_id, total_attempts, correct_attempts,
    incorrect_attempts, average_response_time_ms, best_response_time_ms, last_response_time_ms, first_attempt_at,
    last_attempt_at, current_streak, best_streak, recent_attempts, ease_factor, review_interval_days, repetitions,
    next_review_date)
  values (new.user_id, new.question_id, 1, correct, 1 - correct, new.response_time_ms,
    case when new.is_correct then new.response_time_ms end, new.response_time_ms, new.answered_at,
    new.answered_at, correct, correct,
    jsonb_build_array(jsonb_build_object(
      'is_correct', new.is_correct, 'response_time_ms', new.response_time_ms, 'answered_at', new.answered_at)),
    first_schedule.next_ease_factor, first_schedule.next_interval_days, first_schedule.next_repetitions,
    local_today + first_schedule.next_interval_days)
  on conflict (user_id, question_id) do update set
    total_attempts = item.total_attempts + 1,
    correct_attempts = item.correct_attempts + correct,
    incorrect_attempts = item.incorrect_attempts + 1 - correct,
    average_response_time_ms = round(
      (coalesce(item.average_response_time_ms, 0)::numeric * item.total_attempts + new.response_time_ms)
      / (item.total_attempts + 1)),
    best_response_time_ms = case when new.is_correct
      then least(item.best_response_time_ms, new.response_time_ms) else item.best_response_time_ms end,
    last_response_time_ms = new.response_time_ms,
    first_attempt_at = coalesce(item.first_attempt_at, new.answered_at),
    last_attempt_at = new.answered_at,
    current_streak = case when new.is_correct then item.current_streak + 1 else 0 end,
    best_streak = greatest(item.best_streak, case when new.is_correct then item.current_streak + 1 else 0 end),
    recent_attempts = jsonb_path_query_array(
      jsonb_build_array(jsonb_build_object(
        'is_correct', new.is_correct, 'response_time_ms', new.response_time_ms, 'answered_at', new.answered_at))
      || item.recent_attempts, '$[0 to 4]'),
    (ease_factor, review_interval_days, repetitions, next_review_date) = (
      select s.next_ease_factor, s.next_interval_days, s.next_repetitions, local_today + s.next_interval_days
      from public.sm2_schedule(item.ease_factor, item.review_interval_days, item.repetitions, quality) s);

  if concept is not null then
    insert into public.skill_progress (user_id, concept_id)
    values (new.user_id, concept)
    on conflict (user_id, concept_id) do nothing;
    select * into skill from public.skill_progress
    where user_id = new.user_id and concept_id = concept for update;
    schedule := public.sm2_schedule(skill.ease_factor, skill.review_interval_days, skill.repetitions, quality);
    update public.skill_progress set
      total_attempts = skill.total_attempts + 1,
      correct_attempts = skill.correct_attempts + correct,
      average_response_time_ms = round(
        (coalesce(skill.average_response_time_ms, 0)::numeric * skill.total_attempts + new.response_time_ms)
        / (skill.total_attempts + 1)),
      last_attempt_at = new.answered_at,
      ease_factor = schedule.next_ease_factor,
      review_interval_days = schedule.next_interval_days,
      repetitions = schedule.next_repetitions,
      next_review_date = local_today + schedule.next_interval_days
    where id = skill.id;
  end if;

  update public.learning_sessions set
    questions_attempted = questions_attempted + 1,
    questions_correct = questions_correct + correct,
    hints_used = hints_used + new.hints_used,
    accuracy = round(100.0 * (questions_correct + correct) / (questions_attempted + 1), 2),
    average_response_time_ms = round(
      (coalesce(average_response_time_ms, 0)::numeric * questions_attempted + new.response_time_ms)
      / (questions_attempted + 1)),
    updated_at = now()
  where id = new.session_id;

  update public.profiles set last_active_at = new.answered_at
  where id = new.user_id and last_active_at is distinct from new.answered_at;
  return null;
end
$$;

revoke execute on function
  private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer, integer, integer,
    integer, text[]),
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer, integer, integer,
    integer)
  from public;
grant execute on function
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer, integer, integer,
    integer)
  to service_role;
