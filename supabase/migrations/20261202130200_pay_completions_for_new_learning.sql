-- pay completions for new learning
--
-- Issue 14, item 6 (no pay without learning).
--
-- * finish_container paid container complete (+ perfect score) for any
--   container session with an answer, even when every answer in it was to a
--   question the learner had answered correctly before (award_rule
--   already_answered): a learner could farm 70 XP per container up to the daily
--   cap by replaying. Now a container pays only when it holds new correct
--   learning (an attempt that was the learner's first correct answer to its
--   question: award_rule correct_first_try, correct_second_try,
--   correct_later_try or daily_cap); otherwise it finishes with nothing paid.
--   Perfect: new learning and every question's first attempt in the session
--   right.
-- * Lesson and perfect-score counters (lessons_completed, perfect_scores, the
--   day's counters and the achievements and challenges on them) moved even when
--   the daily cap cut the award to nothing. They now move with the award, only
--   when it paid (private.award_learning_xp folds them into the XP change;
--   unpaid, only the answer counters correct/fast move).
-- * Lesson completion follows the lesson's own rule: the share of its published
--   questions the learner answered correctly reaches lessons.mastery_required,
--   and the share of the learner's attempts at them that were right reaches
--   lessons.minimum_accuracy (%). complete_lesson verifies it from the answers
--   and marks lesson_progress completed (whence the enrollment's progress, by
--   the existing trigger). Students can no longer write lesson_progress.completed
--   (nor completed_at, course_id, started_at, updated_at, which they never could):
--   they could mark a course complete by writing it.

-- ---------------------------------------------------------------- lesson_progress: completion is the server's
revoke insert (completed) on table public.lesson_progress from authenticated;
revoke update (completed) on table public.lesson_progress from authenticated;
comment on column public.lesson_progress.completed is
  'Server-owned: set by complete_lesson when the learner''s answers meet the lesson''s mastery_required and '
  'minimum_accuracy.';

-- ---------------------------------------------------------------- award_learning_xp: counters move with the pay
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
    -- Nothing paid: a correct (or fast) answer still counts as one; lessons and perfect scores do not.
    if correct <> 0 or fast <> 0 then
      perform private.bump_learning_counters(learner, at, correct, fast);
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
  'Learning XP under the rate limit and the daily cap, with the counters of what earned it (lessons and perfect '
  'scores only when paid).';

-- ---------------------------------------------------------------- lessons
create or replace function private.complete_lesson_for(learner uuid, lesson uuid, at timestamptz default null)
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
  where q.lesson_id = lesson and q.is_published;
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
comment on function private.complete_lesson_for(uuid, uuid, timestamptz) is
  'Verifies a learner''s answers meet the lesson''s mastery_required and minimum_accuracy; marks it completed and '
  'pays lesson complete (+ perfect score) once; the counters move only with what was paid.';

-- ---------------------------------------------------------------- containers
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
  organization uuid := private.home_organization(learner);
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
         count(*) filter (where award_rule in ('correct_first_try', 'correct_second_try', 'correct_later_try',
                                               'daily_cap')),
         bool_and(is_correct) filter (where attempt_number = 1)
  into answered, learned, perfect
  from public.answer_attempts where session_id = session and user_id = learner;
  if answered = 0 then
    raise exception using errcode = '23514', message = 'answer at least one question before finishing the container';
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
  'and only when it holds new correct learning.';
