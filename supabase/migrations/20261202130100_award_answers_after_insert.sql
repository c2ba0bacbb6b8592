-- award answers after insert
--
-- Issue 14, items 5 (a refused request does no award work) and 8 (speed is
-- measured by the server).
--
-- The award ran in a BEFORE INSERT trigger on answer_attempts, ahead of the
-- insert's RLS WITH CHECK: an attempt the policy then refused (someone else's
-- session, a learner id not one's own) had already locked that learner's
-- xp_profiles row and run the award and the achievement evaluation. Now one
-- AFTER INSERT trigger, answer_attempts_award_and_record, runs once the row
-- passed the policy, and calls its steps in order: measure the time the server
-- saw, award (private.award_answer_attempt), record progress
-- (private.record_attempt_progress, formerly the trigger
-- answer_attempts_record_progress), then store the award on the attempt (one
-- update of its own row: xp_awarded, award_rule, measured_response_ms). A
-- direct insert is still graded and awarded; its RETURNING shows the row as
-- inserted (award columns not yet set): read the row again, or use
-- submit_answer, which does.
--
-- Speed: public.serve_question(session_id, question_id) records, once per
-- session and question, when the server served the question to the learner
-- (private.question_servings). An attempt's measured_response_ms is the
-- server's time from that serving to the answer's arrival (answered_at, the
-- server's clock for API roles). For an API role's attempt, the fast-answer
-- reward (fast_answers, speed achievements and challenges) needs a measured
-- time within fast_answer_ms: a question never served earns no speed reward.
-- Progress (SM-2 quality, mastery and fluency from the mean response time) uses
-- the measured time, or, unmeasured, the client's figure but no less than 6 s
-- (below every speed tier). The client's response_time_ms is stored as sent,
-- never trusted for rewards. Server writers (service_role, imports, seeds),
-- trusted with answered_at already, are trusted with response_time_ms too.
-- Residual: a learner who read the question elsewhere before asking the
-- server to serve it can still answer it quickly (docs/security.md).

-- ---------------------------------------------------------------- servings
create table private.question_servings (
  session_id uuid not null references public.learning_sessions (id) on delete cascade,
  question_id uuid not null references public.questions (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  served_at timestamptz not null default now(),
  primary key (session_id, question_id)
);
create index question_servings_question_id_idx on private.question_servings (question_id);
create index question_servings_user_id_idx on private.question_servings (user_id);
alter table private.question_servings enable row level security;
comment on table private.question_servings is
  'When the server first served a question to a learner in a session (public.serve_question): the start of the '
  'server-measured response time. Written only by learnkit''s functions.';
revoke all on table private.question_servings from public, anon, authenticated;

alter table public.answer_attempts
  add column measured_response_ms integer check (measured_response_ms >= 0);
comment on column public.answer_attempts.measured_response_ms is
  'Server-owned: milliseconds from the server serving the question in this session (serve_question) to the '
  'answer''s arrival; null if it was never served. Speed rewards use it, never response_time_ms.';

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

-- ---------------------------------------------------------------- award
drop trigger answer_attempts_reward_xp on public.answer_attempts;
drop trigger answer_attempts_record_progress on public.answer_attempts;
drop function private.trigger_record_attempt_progress();

-- The award of one graded attempt, judged against the learner's other attempts at
-- the question under their xp_profiles row lock. reward_ms: the response time
-- trusted for the fast-answer reward (null: none).
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
  if attempt.is_correct is null then
    rule := 'ungraded';
    return;
  elsif not attempt.is_correct then
    rule := 'incorrect';
    return;
  end if;
  -- One learner's attempts are judged one at a time, across devices and sessions.
  perform 1 from public.xp_profiles where user_id = attempt.user_id for update;
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

create or replace function private.trigger_award_answer_attempt() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  served timestamptz;
  measured integer;
  reward_ms integer;
  outcome record;
begin
  select s.served_at into served from private.question_servings s
  where s.session_id = new.session_id and s.question_id = new.question_id and s.user_id = new.user_id;
  if served <= new.answered_at then
    measured := least(floor(extract(epoch from new.answered_at - served) * 1000), 2147483647)::integer;
  end if;
  reward_ms := case when coalesce(current_setting('role', true), '') in ('authenticated', 'anon') then measured
                    else coalesce(measured, new.response_time_ms) end;
  select * into outcome from private.award_answer_attempt(new, reward_ms);
  perform private.record_attempt_progress(new, coalesce(reward_ms, greatest(new.response_time_ms, 6000)));
  update public.answer_attempts
  set xp_awarded = outcome.paid, award_rule = outcome.rule, measured_response_ms = measured
  where id = new.id;
  return null;
end
$$;
comment on function private.trigger_award_answer_attempt() is
  'After an attempt passed the insert policy: measures the server''s response time, awards XP, records progress, '
  'stores the award on the attempt.';

create trigger answer_attempts_award_and_record after insert on public.answer_attempts
  for each row execute function private.trigger_award_answer_attempt();

-- ---------------------------------------------------------------- submit_answer
-- Security invoker: the attempt goes through the answer_attempts policy (own
-- open session, readable question) exactly as a direct insert would; the award
-- runs after it (the trigger above), and the answer is read back with it.
create or replace function public.submit_answer(
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
  inserted uuid;
begin
  if me is null then
    raise exception using errcode = '42501', message = 'sign in to answer questions';
  end if;
  if submit_answer.idempotency_key is not null then
    select * into attempt from public.answer_attempts a
    where a.user_id = me and a.idempotency_key = submit_answer.idempotency_key;
    if found then
      return private.answer_result(attempt, true);
    end if;
  end if;
  insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms, hints_used,
    idempotency_key)
  values (me, submit_answer.session_id, submit_answer.question_id, submit_answer.answer,
    submit_answer.response_time_ms, coalesce(submit_answer.hints_used, 0), submit_answer.idempotency_key)
  on conflict (user_id, idempotency_key) do nothing
  returning id into inserted;
  if inserted is null then
    select * into attempt from public.answer_attempts a
    where a.user_id = me and a.idempotency_key = submit_answer.idempotency_key;
    return private.answer_result(attempt, true);
  end if;
  select * into attempt from public.answer_attempts a where a.id = inserted and a.user_id = me;
  return private.answer_result(attempt, false);
end
$$;

revoke execute on function private.serve_my_question(uuid, uuid), public.serve_question(uuid, uuid),
  private.award_answer_attempt(public.answer_attempts, integer),
  private.record_attempt_progress(public.answer_attempts, integer)
  from public;
grant execute on function private.serve_my_question(uuid, uuid), public.serve_question(uuid, uuid)
  to authenticated, service_role;
