-- Awards: the RPCs that pay XP (submit_answer, complete_lesson, finish_container, increment_xp for the
-- server) and the one function every XP change goes through, private.apply_xp_change: idempotent, capped
-- per day, counted per organization, written to the ledger.

-- ======================================================================
-- tables
-- ======================================================================

create table private.completion_awards (
  user_id uuid not null references public.profiles (id) on delete cascade,
  item_kind text not null check (item_kind in ('lesson', 'container')),
  item_id uuid not null,
  result jsonb not null,
  completed_at timestamptz not null default now(),
  primary key (user_id, item_kind, item_id)
);
alter table private.completion_awards enable row level security;
comment on table private.completion_awards is
  'First completion of a lesson or container session per learner and what it paid; later calls return it.';

create table private.question_servings (
  session_id uuid not null references public.learning_sessions (id) on delete cascade,
  question_id uuid not null references public.questions (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  served_at timestamptz not null default now(),
  primary key (session_id, question_id)
);
alter table private.question_servings enable row level security;
comment on table private.question_servings is
  'When the server first served a question to a learner in a session (public.serve_question): the start of the '
  'server-measured response time. Written only by learnkit''s functions.';
revoke all on table private.question_servings from public, anon, authenticated;
create index question_servings_question_id_idx on private.question_servings (question_id);
create index question_servings_user_id_idx on private.question_servings (user_id);

-- ======================================================================
-- functions
-- ======================================================================

create function private.xp_result(entry public.xp_transactions, replayed boolean) returns jsonb
language plpgsql immutable
set search_path = ''
as $$
begin
  return jsonb_build_object(
    'transaction_id', entry.id, 'user_id', entry.user_id, 'kind', entry.kind, 'category', entry.category,
    'amount', entry.amount, 'delta', entry.delta, 'reason', entry.reason, 'balance', entry.balance_after,
    'lifetime_xp', entry.lifetime_xp_after, 'level', entry.level_after, 'local_day', entry.local_day,
    'idempotency_key', entry.idempotency_key, 'created_at', entry.created_at, 'replayed', replayed);
end
$$;
comment on function private.xp_result(public.xp_transactions, boolean) is 'The JSON result of an XP change.';
grant execute on function private.xp_result(public.xp_transactions, boolean) to service_role;

create function private.replayed_xp_result(learner uuid, idempotency_key text) returns jsonb
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select private.xp_result(t, true) from public.xp_transactions t
          where t.user_id = learner and t.idempotency_key = replayed_xp_result.idempotency_key);
end
$$;
comment on function private.replayed_xp_result(uuid, text) is 'The first result of a key already used, or null.';
grant execute on function private.replayed_xp_result(uuid, text) to service_role;

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
revoke execute on function
  private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer, integer, integer,
    integer, text[])
  from public;
comment on function private.apply_xp_change(uuid, integer, text, text, text, uuid, text, text, timestamptz, integer,
  integer, integer, integer, text[]) is
  'The body of increment_xp: the learner''s balance and global counters, the ledger, and (for the award''s '
  'organization only; none: no board) that organization''s XP and counters in one upsert; then the award''s '
  'achievement criteria with xp_total and the day''s challenges. learnkit''s own functions only.';

create function private.increment_xp(
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
comment on function private.increment_xp(uuid, integer, text, text, text, uuid, text, text, timestamptz) is
  'The one place XP changes (see the migration header). Returns {transaction_id, kind, amount, delta, balance, '
  'lifetime_xp, level, local_day, replayed, ...}. Errors: 22023 bad argument, 23514 not enough XP, P0002 no learner.';
grant execute on function
  private.increment_xp(uuid, integer, text, text, text, uuid, text, text, timestamptz)
  to service_role;

create function public.increment_xp(
  user_id uuid, delta integer, reason text, category text, idempotency_key text
) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.increment_xp(user_id, delta, reason, category, idempotency_key)
$$;
comment on function public.increment_xp(uuid, integer, text, text, text) is
  'service_role only: add (delta > 0) or spend (delta < 0) a learner''s XP, idempotently. Students get 42501.';
revoke execute on function public.increment_xp(uuid, integer, text, text, text) from public, anon, authenticated;
grant execute on function public.increment_xp(uuid, integer, text, text, text) to service_role;

create function private.bump_learning_counters(
  learner uuid, at timestamptz, correct integer default 0, fast integer default 0, lessons integer default 0,
  perfect integer default 0
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  zone text := coalesce((select time_zone from public.profiles where id = learner), 'UTC');
begin
  update public.xp_profiles set
    correct_answers = correct_answers + correct, fast_answers = fast_answers + fast,
    lessons_completed = lessons_completed + lessons, perfect_scores = perfect_scores + perfect
  where user_id = learner;
  insert into public.xp_activity_days as d (user_id, local_day, time_zone, correct_answers, fast_answers,
    lessons_completed, perfect_scores)
  values (learner, (at at time zone zone)::date, zone, correct, fast, lessons, perfect)
  on conflict (user_id, local_day) do update set
    correct_answers = d.correct_answers + excluded.correct_answers,
    fast_answers = d.fast_answers + excluded.fast_answers,
    lessons_completed = d.lessons_completed + excluded.lessons_completed,
    perfect_scores = d.perfect_scores + excluded.perfect_scores;
end
$$;
grant execute on function
  private.bump_learning_counters(uuid, timestamptz, integer, integer, integer, integer)
  to service_role;

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
revoke execute on function
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer, integer,
    integer, integer)
  from public;
grant execute on function
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer, integer, integer,
    integer)
  to service_role;
comment on function private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[], integer,
  integer, integer, integer) is
  'Learning XP under the rate limit and the daily cap of the organization it is earned in (the platform''s with '
  'none), with the counters of what earned it (lessons and perfect scores only when paid).';

create function private.award_answer_attempt(
  attempt public.answer_attempts, reward_ms integer, out paid integer, out rule text
)
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
  paid := 0;
  -- One learner's attempts are judged one at a time, across devices and sessions: wrong ones too, or a right
  -- answer sent at the same moment as a wrong one would not count it and be paid as a first try.
  perform 1 from public.xp_profiles where user_id = attempt.user_id for update;
  if attempt.is_correct is null then
    rule := 'ungraded';
    return;
  elsif not attempt.is_correct then
    rule := 'incorrect';
    return;
  end if;
  select count(*), coalesce(bool_or(a.is_correct), false) into earlier_attempts, answered_before
  from public.answer_attempts a
  where a.user_id = attempt.user_id and a.question_id = attempt.question_id and a.id <> attempt.id;
  if answered_before then
    rule := 'already_answered';
    return;
  end if;
  tries := 1 + earlier_attempts;
  item_organization := coalesce((select q.organization_id from public.questions q where q.id = attempt.question_id),
                                private.home_organization(attempt.user_id));
  rules := private.gamification_rules(item_organization);
  amount := case tries when 1 then rules.correct_first_try when 2 then rules.correct_second_try
                       else rules.correct_later_try end;
  rule := case tries when 1 then 'correct_first_try' when 2 then 'correct_second_try' else 'correct_later_try' end;
  fast := case when tries = 1 and reward_ms <= rules.fast_answer_ms then 1 else 0 end;
  result := private.award_learning_xp(attempt.user_id, amount, replace(rule, '_', ' '),
    'attempt:' || attempt.id, item_organization, 'answer_attempts', attempt.id::text, attempt.answered_at,
    case when fast = 1 then array['speed'] else '{}'::text[] end, correct => 1, fast => fast);
  paid := (result ->> 'awarded')::integer;
  if (result ->> 'capped')::boolean then
    rule := 'daily_cap';
  end if;
end
$$;
comment on function private.award_answer_attempt(public.answer_attempts, integer) is
  'XP for a graded attempt by its organization''s rules: first occurrence only, by try; fast with a trusted time.';
revoke execute on function private.award_answer_attempt(public.answer_attempts, integer) from public;

create function private.record_attempt_progress(attempt public.answer_attempts, response_ms integer) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  skill public.skill_progress;
  concept uuid;
  local_today date;
  quality integer := private.attempt_quality(attempt.is_correct, response_ms, attempt.hints_used);
  correct integer := case when attempt.is_correct then 1 else 0 end;
  first_schedule record;
  schedule record;
begin
  if attempt.is_correct is null then
    return;  -- not gradable yet (no key): graded later by the server
  end if;
  select q.concept_id, (attempt.answered_at at time zone p.time_zone)::date into concept, local_today
  from public.questions q, public.profiles p
  where q.id = attempt.question_id and p.id = attempt.user_id;

  -- A first attempt starts from the column defaults (ease 2.50, no interval, no repetitions).
  first_schedule := public.sm2_schedule(2.50, null, 0, quality);
  insert into public.question_progress as item (user_id, question_id, total_attempts, correct_attempts,
    incorrect_attempts, average_response_time_ms, best_response_time_ms, last_response_time_ms, first_attempt_at,
    last_attempt_at, current_streak, best_streak, recent_attempts, ease_factor, review_interval_days, repetitions,
    next_review_date)
  values (attempt.user_id, attempt.question_id, 1, correct, 1 - correct, response_ms,
    case when attempt.is_correct then response_ms end, response_ms, attempt.answered_at,
    attempt.answered_at, correct, correct,
    jsonb_build_array(jsonb_build_object(
      'is_correct', attempt.is_correct, 'response_time_ms', response_ms, 'answered_at', attempt.answered_at)),
    first_schedule.next_ease_factor, first_schedule.next_interval_days, first_schedule.next_repetitions,
    local_today + first_schedule.next_interval_days)
  on conflict (user_id, question_id) do update set
    total_attempts = item.total_attempts + 1,
    correct_attempts = item.correct_attempts + correct,
    incorrect_attempts = item.incorrect_attempts + 1 - correct,
    average_response_time_ms = round(
      (coalesce(item.average_response_time_ms, 0)::numeric * item.total_attempts + response_ms)
      / (item.total_attempts + 1)),
    best_response_time_ms = case when attempt.is_correct
      then least(item.best_response_time_ms, response_ms) else item.best_response_time_ms end,
    last_response_time_ms = response_ms,
    first_attempt_at = coalesce(item.first_attempt_at, attempt.answered_at),
    last_attempt_at = attempt.answered_at,
    current_streak = case when attempt.is_correct then item.current_streak + 1 else 0 end,
    best_streak = greatest(item.best_streak, case when attempt.is_correct then item.current_streak + 1 else 0 end),
    recent_attempts = jsonb_path_query_array(
      jsonb_build_array(jsonb_build_object(
        'is_correct', attempt.is_correct, 'response_time_ms', response_ms, 'answered_at', attempt.answered_at))
      || item.recent_attempts, '$[0 to 4]'),
    (ease_factor, review_interval_days, repetitions, next_review_date) = (
      select s.next_ease_factor, s.next_interval_days, s.next_repetitions, local_today + s.next_interval_days
      from public.sm2_schedule(item.ease_factor, item.review_interval_days, item.repetitions, quality) s);

  if concept is not null then
    insert into public.skill_progress (user_id, concept_id)
    values (attempt.user_id, concept)
    on conflict (user_id, concept_id) do nothing;
    select * into skill from public.skill_progress
    where user_id = attempt.user_id and concept_id = concept for update;
    schedule := public.sm2_schedule(skill.ease_factor, skill.review_interval_days, skill.repetitions, quality);
    update public.skill_progress set
      total_attempts = skill.total_attempts + 1,
      correct_attempts = skill.correct_attempts + correct,
      average_response_time_ms = round(
        (coalesce(skill.average_response_time_ms, 0)::numeric * skill.total_attempts + response_ms)
        / (skill.total_attempts + 1)),
      last_attempt_at = attempt.answered_at,
      ease_factor = schedule.next_ease_factor,
      review_interval_days = schedule.next_interval_days,
      repetitions = schedule.next_repetitions,
      next_review_date = local_today + schedule.next_interval_days
    where id = skill.id;
  end if;

  update public.learning_sessions set
    questions_attempted = questions_attempted + 1,
    questions_correct = questions_correct + correct,
    hints_used = hints_used + attempt.hints_used,
    accuracy = round(100.0 * (questions_correct + correct) / (questions_attempted + 1), 2),
    average_response_time_ms = round(
      (coalesce(average_response_time_ms, 0)::numeric * questions_attempted + response_ms)
      / (questions_attempted + 1)),
    updated_at = now()
  where id = attempt.session_id;

  update public.profiles set last_active_at = attempt.answered_at
  where id = attempt.user_id and last_active_at is distinct from attempt.answered_at;
end
$$;
comment on function private.record_attempt_progress(public.answer_attempts, integer) is
  'After each graded attempt: the question''s and the concept''s progress (SM-2, mastery from response_ms, the '
  'trusted response time), the session''s counters and the profile''s last activity.';
revoke execute on function private.record_attempt_progress(public.answer_attempts, integer) from public;

create function private.answer_result(attempt public.answer_attempts, replayed boolean) returns jsonb
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (
    select jsonb_build_object(
      'attempt_id', attempt.id, 'question_id', attempt.question_id, 'is_correct', attempt.is_correct,
      'xp_awarded', attempt.xp_awarded, 'award_rule', attempt.award_rule,
      'balance', coalesce(t.balance_after, s.xp), 'lifetime_xp', coalesce(t.lifetime_xp_after, s.lifetime_xp),
      'level', coalesce(t.level_after, s.level), 'current_streak', s.current_streak, 'replayed', replayed)
    from public.xp_profiles s
    left join public.xp_transactions t on t.user_id = s.user_id and t.idempotency_key = 'attempt:' || attempt.id
    where s.user_id = attempt.user_id and s.user_id = (select auth.uid()));
end
$$;
grant execute on function private.answer_result(public.answer_attempts, boolean) to authenticated, service_role;

create function private.measured_response_ms(learner uuid, session uuid, question uuid, answered_at timestamptz)
returns integer
language sql stable
security definer
set search_path = ''
as $$
  select least(floor(extract(epoch from answered_at - s.served_at) * 1000), 2147483647)::integer
  from private.question_servings s
  where s.session_id = session and s.question_id = question and s.user_id = learner and s.served_at <= answered_at;
$$;
comment on function private.measured_response_ms(uuid, uuid, uuid, timestamptz) is
  'Milliseconds from the server serving the question in this session (public.serve_question) to the answer; null '
  'if it was never served.';
revoke execute on function private.measured_response_ms(uuid, uuid, uuid, timestamptz) from public;

create function private.record_answer(
  learner uuid, session uuid, question uuid, answer jsonb, response_time_ms integer, hints_used integer,
  idempotency_key text, answered_at timestamptz, trust_reported_time boolean, attempt_id uuid default null,
  out recorded_id uuid, out replayed boolean
)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  attempt public.answer_attempts;
  correct boolean;
  measured integer;
  reward_ms integer;
  outcome record;
begin
  -- 1. Grade against the hidden key (null: the question has no key yet).
  correct := private.check_answer(question, answer);
  measured := private.measured_response_ms(learner, session, question, answered_at);

  -- 2. Record the attempt; a replayed idempotency key returns the first one.
  insert into public.answer_attempts as a (id, user_id, session_id, question_id, answer, response_time_ms, hints_used,
    idempotency_key, answered_at, is_correct, attempt_number, fluency_score, measured_response_ms)
  values (coalesce(attempt_id, gen_random_uuid()), learner, session, question, answer, response_time_ms, hints_used,
    idempotency_key, answered_at, correct,
    1 + (select count(*) from public.answer_attempts earlier
         where earlier.session_id = session and earlier.question_id = question and earlier.user_id = learner),
    case when correct then round(least(1.0, 2000.0 / greatest(response_time_ms, 1))::numeric, 2)
         when correct is not null then 0 end,
    measured)
  on conflict on constraint answer_attempts_idempotency_key_unique do nothing
  returning * into attempt;
  replayed := not found;
  if replayed then
    select a.id into recorded_id from public.answer_attempts a
    where a.user_id = learner and a.idempotency_key = record_answer.idempotency_key;
    return;
  end if;
  recorded_id := attempt.id;

  -- 3. Award XP by the question's organization's rules. Speed rewards use the server's measure; the reported
  -- time counts only for writers the server trusts (imports, seeds).
  reward_ms := case when trust_reported_time then coalesce(measured, response_time_ms) else measured end;
  select * into outcome from private.award_answer_attempt(attempt, reward_ms);

  -- 4. Progress: the question's and the concept's mastery and review schedule, the session's counters.
  perform private.record_attempt_progress(attempt, coalesce(reward_ms, greatest(response_time_ms, 6000)));

  update public.answer_attempts as a set xp_awarded = outcome.paid, award_rule = outcome.rule
  where a.id = attempt.id;
end
$$;
comment on function
  private.record_answer(uuid, uuid, uuid, jsonb, integer, integer, text, timestamptz, boolean, uuid) is
  'The answer path, in order: grade against the hidden key, record the attempt, award XP, record progress; '
  'returns the attempt''s id. A replayed idempotency key returns the first attempt''s (replayed = true). Callers '
  'decide who may answer: public.submit_answer for learners, service_role for trusted writers (imports, seeds, '
  'which may also give the attempt''s id).';
revoke execute on function
  private.record_answer(uuid, uuid, uuid, jsonb, integer, integer, text, timestamptz, boolean, uuid)
  from public;
grant execute on function
  private.record_answer(uuid, uuid, uuid, jsonb, integer, integer, text, timestamptz, boolean, uuid)
  to service_role;

create function private.answer_my_question(
  session uuid, question uuid, answer jsonb, response_time_ms integer, idempotency_key text, hints_used integer
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me constant uuid := auth.uid();
  recorded record;
  attempt public.answer_attempts;
begin
  perform 1 from public.learning_sessions s
  where s.id = session and s.user_id = me and s.status in ('active', 'paused');
  if me is null or not found then
    raise exception using errcode = '42501', message = 'answers are recorded only in your own open session';
  end if;
  select * into recorded from private.record_answer(me, session, question, answer, response_time_ms, hints_used,
    idempotency_key, now(), trust_reported_time => false);
  select * into attempt from public.answer_attempts a where a.id = recorded.recorded_id;
  return private.answer_result(attempt, recorded.replayed);
end
$$;
comment on function private.answer_my_question(uuid, uuid, jsonb, integer, text, integer) is
  'public.submit_answer''s privileged part: the signed-in learner''s own open session, then private.record_answer.';
revoke execute on function private.answer_my_question(uuid, uuid, jsonb, integer, text, integer) from public;
grant execute on function private.answer_my_question(uuid, uuid, jsonb, integer, text, integer)
  to authenticated, service_role;

create function public.submit_answer(
  session_id uuid, question_id uuid, answer jsonb, response_time_ms integer, idempotency_key text default null,
  hints_used integer default 0
) returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  me constant uuid := auth.uid();
  attempt public.answer_attempts;
begin
  if me is null then
    raise exception using errcode = '42501', message = 'sign in to answer questions';
  end if;
  perform private.check_argument_length('answer', submit_answer.answer::text, 16384);
  perform private.check_argument_length('idempotency_key', submit_answer.idempotency_key, 200);
  if submit_answer.idempotency_key is not null then
    select * into attempt from public.answer_attempts a
    where a.user_id = me and a.idempotency_key = submit_answer.idempotency_key;
    if found then
      return private.answer_result(attempt, true);
    end if;
  end if;
  -- Security invoker: the question must be one the caller may read.
  if not exists (select from public.questions q where q.id = submit_answer.question_id) then
    raise exception using errcode = '42501', message = 'no such question for you to answer';
  end if;
  return private.answer_my_question(submit_answer.session_id, submit_answer.question_id, submit_answer.answer,
    submit_answer.response_time_ms, submit_answer.idempotency_key, coalesce(submit_answer.hints_used, 0));
end
$$;
comment on function public.submit_answer(uuid, uuid, jsonb, integer, text, integer) is
  'Answer a question in your open session: graded against the hidden key, XP by the rules, progress recorded. '
  'Returns {attempt_id, is_correct, xp_awarded, award_rule, balance, lifetime_xp, level, current_streak, replayed}. '
  'Errors: 42501 (not your session / question), PT429 (rate limit).';
grant execute on function public.submit_answer(uuid, uuid, jsonb, integer, text, integer)
  to authenticated, service_role;

create function private.complete_lesson_for(learner uuid, lesson uuid, at timestamptz default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  moment timestamptz := coalesce(at, now());
  item public.lessons;
  rules public.gamification_settings;
  total integer;
  answered integer;
  first_time_right integer;
  attempts integer;
  right_attempts integer;
  perfect boolean;
  done jsonb;
  completion jsonb;
  bonus jsonb := '{}'::jsonb;
  result jsonb;
begin
  perform 1 from public.xp_profiles where user_id = learner for update;
  select result into done from private.completion_awards
  where user_id = learner and item_kind = 'lesson' and item_id = lesson;
  if found then
    return done || '{"replayed": true}';
  end if;
  select * into item from public.lessons l
  where l.id = lesson and l.is_published
    and (l.organization_id is null
         or l.organization_id in (select organization_id from public.organization_members where user_id = learner));
  if not found then
    raise exception using errcode = 'P0002', message = format('lesson %s not found', lesson);
  end if;
  select count(*),
         count(*) filter (where tally.right_attempts > 0),
         count(*) filter (where (
           select a.is_correct from public.answer_attempts a where a.user_id = learner and a.question_id = q.id
           order by a.answered_at, a.attempt_number, a.id limit 1)),
         coalesce(sum(tally.attempts), 0), coalesce(sum(tally.right_attempts), 0)
  into total, answered, first_time_right, attempts, right_attempts
  from public.questions q
  cross join lateral (
    select count(*) as attempts, count(*) filter (where a.is_correct) as right_attempts
    from public.answer_attempts a where a.user_id = learner and a.question_id = q.id) tally
  where q.lesson_id = lesson and q.is_published
    and q.organization_id is not distinct from item.organization_id;
  if total = 0 then
    raise exception using errcode = '23514',
      message = format('lesson %L has no questions, so its completion cannot be verified', item.title);
  end if;
  if answered < greatest(1, ceil(item.mastery_required * total)) then
    raise exception using errcode = '23514',
      message = format('lesson %L is not complete: %s of %s questions answered correctly, %s needed', item.title,
                       answered, total, greatest(1, ceil(item.mastery_required * total))),
      hint = 'Answer more of the lesson''s questions correctly, then complete it.';
  end if;
  if 100.0 * right_attempts / attempts < item.minimum_accuracy then
    raise exception using errcode = '23514',
      message = format('lesson %L is not complete: accuracy %s%% of %s attempts, %s%% needed', item.title,
                       round(100.0 * right_attempts / attempts), attempts, item.minimum_accuracy),
      hint = 'Keep practising the lesson''s questions, then complete it.';
  end if;
  perfect := first_time_right = total;
  insert into public.lesson_progress (user_id, lesson_id, completed) values (learner, lesson, true)
  on conflict (user_id, lesson_id) do update set completed = true;
  rules := private.gamification_rules(item.organization_id);
  completion := private.award_learning_xp(learner, rules.lesson_complete, 'lesson complete', 'lesson:' || lesson,
    item.organization_id, 'lessons', lesson::text, moment, array['lessons_completed'], lessons => 1);
  if perfect then
    bonus := private.award_learning_xp(learner, rules.perfect_score, 'perfect score', 'lesson-perfect:' || lesson,
      item.organization_id, 'lessons', lesson::text, moment, array['perfect_scores'], perfect => 1);
  end if;
  result := jsonb_build_object('lesson_id', lesson, 'perfect', perfect,
    'xp_awarded', (completion ->> 'awarded')::integer + coalesce((bonus ->> 'awarded')::integer, 0),
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
  insert into private.completion_awards (user_id, item_kind, item_id, result, completed_at)
  values (learner, 'lesson', lesson, result, moment);
  return result;
end
$$;
grant execute on function private.complete_lesson_for(uuid, uuid, timestamptz) to service_role;
comment on function private.complete_lesson_for(uuid, uuid, timestamptz) is
  'Verifies a learner''s answers to the lesson''s questions (those of the lesson''s own organization) meet the '
  'lesson''s mastery_required and minimum_accuracy; marks it completed and pays lesson complete (+ perfect score) '
  'once; the counters move only with what was paid.';

create function private.complete_my_lesson(lesson uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to complete lessons';
  end if;
  return private.complete_lesson_for(auth.uid(), lesson, now());
end
$$;
grant execute on function private.complete_my_lesson(uuid) to authenticated, service_role;

create function public.complete_lesson(lesson_id uuid) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.complete_my_lesson(lesson_id)
$$;
comment on function public.complete_lesson(uuid) is
  'Complete a lesson whose questions you answered correctly: {xp_awarded, perfect, balance, replayed}. '
  'Errors: 23514 not complete, P0002 unknown lesson.';
grant execute on function public.complete_lesson(uuid) to authenticated, service_role;

create function private.finish_container_for(learner uuid, session uuid, at timestamptz default null)
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
  completion jsonb := '{}'::jsonb;
  bonus jsonb := '{}'::jsonb;
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
grant execute on function private.finish_container_for(uuid, uuid, timestamptz) to service_role;
comment on function private.finish_container_for(uuid, uuid, timestamptz) is
  'Finishes a learner''s container session with at least one answer; pays container complete (+ perfect) once, '
  'only when it holds new correct learning, in the organization of that learning (none when it spans several).';

create function private.finish_my_container(session uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to finish a container';
  end if;
  return private.finish_container_for(auth.uid(), session, now());
end
$$;
grant execute on function private.finish_my_container(uuid) to authenticated, service_role;

create function public.finish_container(session_id uuid) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.finish_my_container(session_id)
$$;
comment on function public.finish_container(uuid) is
  'Finish your container session (LEARN/EXPERIENCE/DISCOVER): {xp_awarded, perfect, balance, replayed}.';
grant execute on function public.finish_container(uuid) to authenticated, service_role;

create function private.trigger_count_mastered_skill() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status = 'mastered' and (tg_op = 'INSERT' or old.status <> 'mastered') then
    update public.xp_profiles set skills_mastered = skills_mastered + 1 where user_id = new.user_id;
    perform private.evaluate_achievements(new.user_id, array['skills_mastered'], now());
  end if;
  return null;
end
$$;

create function private.serve_my_question(session uuid, question uuid) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me constant uuid := auth.uid();
  served timestamptz;
begin
  perform 1 from public.learning_sessions s
  where s.id = session and s.user_id = me and s.status in ('active', 'paused');
  if me is null or not found then
    raise exception using errcode = '42501', message = 'questions are served only in your own open session';
  end if;
  insert into private.question_servings (session_id, question_id, user_id, served_at)
  values (session, question, me, now())
  on conflict (session_id, question_id) do nothing
  returning served_at into served;
  if not found then
    select s.served_at into served from private.question_servings s
    where s.session_id = session and s.question_id = question;
  end if;
  return jsonb_build_object('session_id', session, 'question_id', question, 'served_at', served);
end
$$;
comment on function private.serve_my_question(uuid, uuid) is
  'Records (once per session and question) that the server served a question to the signed-in learner.';
revoke execute on function private.serve_my_question(uuid, uuid) from public;
grant execute on function private.serve_my_question(uuid, uuid) to authenticated, service_role;

create function public.serve_question(session_id uuid, question_id uuid) returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to be served questions';
  end if;
  -- Security invoker: the question must be one the caller may read.
  if not exists (select from public.questions q where q.id = serve_question.question_id) then
    raise exception using errcode = '42501', message = 'no such question for you to answer';
  end if;
  return private.serve_my_question(serve_question.session_id, serve_question.question_id);
end
$$;
comment on function public.serve_question(uuid, uuid) is
  'Call when showing a question in your open session: starts the server''s clock for speed rewards (the first '
  'call per session and question counts). Returns {session_id, question_id, served_at}. Errors: 42501.';
revoke execute on function public.serve_question(uuid, uuid) from public;
grant execute on function public.serve_question(uuid, uuid) to authenticated, service_role;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger skill_progress_count_mastered after insert or update of status on public.skill_progress
  for each row execute function private.trigger_count_mastered_skill();
