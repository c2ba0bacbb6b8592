-- create xp awards
--
-- Server-verified XP: what students call (submit_answer, complete_lesson,
-- finish_container) and the rules that award XP for it. Every answer attempt,
-- however it is inserted, is graded by the server (issue 3's trigger) and then
-- awarded here by the rules of its organization (gamification_settings):
-- correct on the learner's first try at the item 10, second try 5, later 0;
-- first occurrence only (an item answered correctly once never pays again, on
-- any device or session); lesson complete 20 when every question of the lesson
-- has been answered correctly, perfect score 50 when each was right the first
-- time; a finished container session 20 (+50 if perfect). Learning XP is
-- limited per window (PT429) and capped per local day (daily_xp_cap).
--
-- Changes to issue 3's answer_attempts: an idempotency_key (unique per
-- learner; a replayed submission returns the first attempt) and the
-- server-owned xp_awarded and award_rule the award trigger sets.

-- ---------------------------------------------------------------- answer_attempts
alter table public.answer_attempts
  add column idempotency_key text check (char_length(idempotency_key) between 1 and 200),
  add column xp_awarded integer not null default 0,
  add column award_rule text,
  add constraint answer_attempts_idempotency_key_unique unique (user_id, idempotency_key);
comment on column public.answer_attempts.idempotency_key is
  'Client key, unique per learner: submitting again with it returns the first attempt.';
comment on column public.answer_attempts.xp_awarded is 'Server-owned: XP this attempt earned.';
comment on column public.answer_attempts.award_rule is
  'Server-owned: correct_first_try, correct_second_try, correct_later_try, already_answered, incorrect, '
  'ungraded, daily_cap.';
grant insert (idempotency_key) on table public.answer_attempts to authenticated;

-- ---------------------------------------------------------------- completions
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

-- ---------------------------------------------------------------- counters
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

-- Learning XP under the rate limit and the daily cap; evaluates challenges and
-- the achievements of the given criteria whether or not XP was paid.
create function private.award_learning_xp(
  learner uuid, amount integer, reason text, idempotency_key text, organization uuid, source_table text,
  source_id text, at timestamptz, criteria text[] default '{}'
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
    result := private.increment_xp(learner, paid, reason, 'learning', idempotency_key, organization,
      source_table, source_id, at);
  else
    perform private.evaluate_challenges(learner, day, at);
  end if;
  if cardinality(criteria) > 0 then
    perform private.evaluate_achievements(learner, criteria, at);
  end if;
  return coalesce(result, '{}'::jsonb) || jsonb_build_object('awarded', paid, 'capped', paid < amount);
end
$$;

-- ---------------------------------------------------------------- answers
create function private.trigger_award_answer_attempt() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
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
  if exists (select from public.answer_attempts
             where user_id = new.user_id and question_id = new.question_id and is_correct) then
    new.award_rule := 'already_answered';
    return new;
  end if;
  tries := 1 + (select count(*) from public.answer_attempts
                where user_id = new.user_id and question_id = new.question_id);
  item_organization := coalesce((select organization_id from public.questions where id = new.question_id),
                                private.home_organization(new.user_id));
  rules := private.gamification_rules(item_organization);
  amount := case tries when 1 then rules.correct_first_try when 2 then rules.correct_second_try
                       else rules.correct_later_try end;
  new.award_rule := case tries when 1 then 'correct_first_try' when 2 then 'correct_second_try'
                               else 'correct_later_try' end;
  fast := case when tries = 1 and new.response_time_ms <= rules.fast_answer_ms then 1 else 0 end;
  perform private.bump_learning_counters(new.user_id, new.answered_at, correct => 1, fast => fast);
  result := private.award_learning_xp(new.user_id, amount, replace(new.award_rule, '_', ' '),
    'attempt:' || new.id, item_organization, 'answer_attempts', new.id::text, new.answered_at,
    case when fast = 1 then array['speed'] else '{}'::text[] end);
  new.xp_awarded := (result ->> 'awarded')::integer;
  if (result ->> 'capped')::boolean then
    new.award_rule := 'daily_cap';
  end if;
  return new;
end
$$;
comment on function private.trigger_award_answer_attempt() is
  'Awards XP for a graded answer attempt by its organization''s rules (runs after issue 3''s grading trigger).';

create trigger answer_attempts_reward_xp before insert on public.answer_attempts
  for each row execute function private.trigger_award_answer_attempt();

-- Definer (skips six RLS policies on two tables), so it answers only about the caller's own attempt.
create function private.answer_result(attempt public.answer_attempts, replayed boolean) returns jsonb
language sql stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'attempt_id', attempt.id, 'question_id', attempt.question_id, 'is_correct', attempt.is_correct,
    'xp_awarded', attempt.xp_awarded, 'award_rule', attempt.award_rule,
    'balance', coalesce(t.balance_after, s.xp), 'lifetime_xp', coalesce(t.lifetime_xp_after, s.lifetime_xp),
    'level', coalesce(t.level_after, s.level), 'current_streak', s.current_streak, 'replayed', replayed)
  from public.xp_profiles s
  left join public.xp_transactions t on t.user_id = s.user_id and t.idempotency_key = 'attempt:' || attempt.id
  where s.user_id = attempt.user_id and s.user_id = (select auth.uid())
$$;

-- Security invoker: the attempt goes through issue 3's policy (own active
-- session, readable question) exactly as a direct insert would.
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
  attempt public.answer_attempts;
begin
  if auth.uid() is null then
    raise exception using errcode = '42501', message = 'sign in to answer questions';
  end if;
  if submit_answer.idempotency_key is not null then
    select * into attempt from public.answer_attempts a
    where a.user_id = auth.uid() and a.idempotency_key = submit_answer.idempotency_key;
    if found then
      return private.answer_result(attempt, true);
    end if;
  end if;
  insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms, hints_used,
    idempotency_key)
  values (auth.uid(), submit_answer.session_id, submit_answer.question_id, submit_answer.answer,
    submit_answer.response_time_ms, coalesce(submit_answer.hints_used, 0), submit_answer.idempotency_key)
  on conflict (user_id, idempotency_key) do nothing
  returning * into attempt;
  if not found then
    select * into attempt from public.answer_attempts a
    where a.user_id = auth.uid() and a.idempotency_key = submit_answer.idempotency_key;
    return private.answer_result(attempt, true);
  end if;
  return private.answer_result(attempt, false);
end
$$;
comment on function public.submit_answer(uuid, uuid, jsonb, integer, text, integer) is
  'Answer a question in your active session: graded against the hidden key, XP by the rules. Returns '
  '{attempt_id, is_correct, xp_awarded, award_rule, balance, lifetime_xp, level, current_streak, replayed}. '
  'Errors: 42501 (not your session / question), PT429 (rate limit).';

-- ---------------------------------------------------------------- lessons
create function private.complete_lesson_for(learner uuid, lesson uuid, at timestamptz default null) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  moment timestamptz := coalesce(at, now());
  item public.lessons;
  total integer;
  answered integer;
  first_time_right integer;
  perfect boolean;
  done jsonb;
  completion jsonb;
  bonus jsonb := '{}';
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
         count(*) filter (where exists (
           select from public.answer_attempts a where a.user_id = learner and a.question_id = q.id and a.is_correct)),
         count(*) filter (where (
           select a.is_correct from public.answer_attempts a where a.user_id = learner and a.question_id = q.id
           order by a.answered_at, a.id limit 1))
  into total, answered, first_time_right
  from public.questions q
  where q.lesson_id = lesson and q.is_published;
  if total = 0 then
    raise exception using errcode = '23514',
      message = format('lesson %L has no questions, so its completion cannot be verified', item.title);
  end if;
  if answered < total then
    raise exception using errcode = '23514',
      message = format('lesson %L is not complete: %s of %s questions answered correctly', item.title, answered, total),
      hint = 'Answer every question of the lesson correctly, then complete it.';
  end if;
  perfect := first_time_right = total;
  perform private.bump_learning_counters(learner, moment, lessons => 1, perfect => case when perfect then 1 else 0 end);
  insert into public.lesson_progress (user_id, lesson_id, completed) values (learner, lesson, true)
  on conflict (user_id, lesson_id) do update set completed = true;
  completion := private.award_learning_xp(learner, (private.gamification_rules(item.organization_id)).lesson_complete,
    'lesson complete', 'lesson:' || lesson, item.organization_id, 'lessons', lesson::text, moment,
    array['lessons_completed']);
  if perfect then
    bonus := private.award_learning_xp(learner, (private.gamification_rules(item.organization_id)).perfect_score,
      'perfect score', 'lesson-perfect:' || lesson, item.organization_id, 'lessons', lesson::text, moment,
      array['perfect_scores']);
  end if;
  result := jsonb_build_object('lesson_id', lesson, 'perfect', perfect,
    'xp_awarded', (completion ->> 'awarded')::integer + coalesce((bonus ->> 'awarded')::integer, 0),
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
  insert into private.completion_awards (user_id, item_kind, item_id, result, completed_at)
  values (learner, 'lesson', lesson, result, moment);
  return result;
end
$$;
comment on function private.complete_lesson_for(uuid, uuid, timestamptz) is
  'Verifies a learner answered every question of a lesson correctly; pays lesson complete (+ perfect score) once.';

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

-- ---------------------------------------------------------------- containers
create function private.finish_container_for(learner uuid, session uuid, at timestamptz default null) returns jsonb
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
  perfect boolean;
  organization uuid := private.home_organization(learner);
  completion jsonb;
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
  select count(*), bool_and(is_correct) filter (where attempt_number = 1)
  into answered, perfect
  from public.answer_attempts where session_id = session and user_id = learner;
  if answered = 0 then
    raise exception using errcode = '23514', message = 'answer at least one question before finishing the container';
  end if;
  completion := private.award_learning_xp(learner, (private.gamification_rules(organization)).container_complete,
    'container complete', 'session:' || session, organization, 'learning_sessions', session::text, moment);
  if coalesce(perfect, false) then
    perform private.bump_learning_counters(learner, moment, perfect => 1);
    bonus := private.award_learning_xp(learner, (private.gamification_rules(organization)).perfect_score,
      'perfect score', 'session-perfect:' || session, organization, 'learning_sessions', session::text, moment,
      array['perfect_scores']);
  end if;
  awarded := (completion ->> 'awarded')::integer + coalesce((bonus ->> 'awarded')::integer, 0);
  update public.learning_sessions set status = 'completed',
    xp_earned = awarded + coalesce((select sum(xp_awarded) from public.answer_attempts where session_id = session), 0)
  where id = session;
  result := jsonb_build_object('session_id', session, 'perfect', coalesce(perfect, false), 'xp_awarded', awarded,
    'balance', (select xp from public.xp_profiles where user_id = learner), 'replayed', false);
  insert into private.completion_awards (user_id, item_kind, item_id, result, completed_at)
  values (learner, 'container', session, result, moment);
  return result;
end
$$;
comment on function private.finish_container_for(uuid, uuid, timestamptz) is
  'Finishes a learner''s container session with at least one answer; pays container complete (+ perfect) once.';

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

create function public.finish_container(session_id uuid) returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.finish_my_container(session_id)
$$;
comment on function public.finish_container(uuid) is
  'Finish your container session (LEARN/EXPERIENCE/DISCOVER): {xp_awarded, perfect, balance, replayed}.';

-- ---------------------------------------------------------------- skills mastered
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
create trigger skill_progress_count_mastered after insert or update of status on public.skill_progress
  for each row execute function private.trigger_count_mastered_skill();

revoke execute on all functions in schema private from public;
grant execute on function private.answer_result(public.answer_attempts, boolean), private.complete_my_lesson(uuid),
  private.finish_my_container(uuid)
  to authenticated, service_role;
grant execute on function
  private.bump_learning_counters(uuid, timestamptz, integer, integer, integer, integer),
  private.award_learning_xp(uuid, integer, text, text, uuid, text, text, timestamptz, text[]),
  private.complete_lesson_for(uuid, uuid, timestamptz), private.finish_container_for(uuid, uuid, timestamptz)
  to service_role;
grant execute on function public.submit_answer(uuid, uuid, jsonb, integer, text, integer),
  public.complete_lesson(uuid), public.finish_container(uuid)
  to authenticated, service_role;
