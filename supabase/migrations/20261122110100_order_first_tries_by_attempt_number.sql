-- order first tries by attempt number
--
-- complete_lesson pays the perfect-score bonus when each question's first
-- attempt was correct, and took "first" as the earliest answered_at, ties
-- broken by the attempt's random id. Attempts made in one transaction share
-- answered_at (now()), so a wrong first try followed by a right one could count
-- as right first time, at random (seen as an intermittent failure of pgTAP file
-- 32). Within a session attempt_number orders a question's attempts, so ties
-- now fall to it.

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
           order by a.answered_at, a.attempt_number, a.id limit 1))
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
