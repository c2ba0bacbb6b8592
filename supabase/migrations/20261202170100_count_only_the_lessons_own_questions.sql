-- count only the lesson's own questions
--
-- private.complete_lesson_for counted every published question whose lesson_id named the lesson, whatever the
-- question's organization: questions another organization pointed at the lesson (before
-- 20261202170000_require_content_of_the_rows_organization refused them) let an attacker complete organization A's
-- lesson with questions of their own, or made it impossible to complete for A's students. Defense in depth beside
-- that trigger: a lesson's completion counts only its questions of the lesson's own organization. Otherwise
-- unchanged from 20261202130200_pay_completions_for_new_learning.

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
comment on function private.complete_lesson_for(uuid, uuid, timestamptz) is
  'Verifies a learner''s answers to the lesson''s questions (those of the lesson''s own organization) meet the '
  'lesson''s mastery_required and minimum_accuracy; marks it completed and pays lesson complete (+ perfect score) '
  'once; the counters move only with what was paid.';
