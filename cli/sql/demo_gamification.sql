-- name: demo_student
-- The seed's first Maple Grove student and their organization.
select m.user_id, m.organization_id, p.nickname
from public.organization_members m
join public.profiles p on p.id = m.user_id
where m.role = 'student'
order by m.organization_id, m.user_id
limit 1;

-- name: demo_questions
-- Questions the student can see, with the answer they will type (the owner reads the hidden keys here
-- only to script the demo; the student never can).
select q.id as question_id, k.correct_answer #>> '{}' as answer
from public.questions q
join public.question_answer_keys k on k.question_id = q.id
where q.is_published and (q.organization_id is null or q.organization_id = %(organization_id)s)
  and k.correct_value is not null
order by q.lesson_id nulls last, q.sequence_number, q.id
limit 4;

-- name: start_session
insert into public.learning_sessions (user_id, session_type, container)
values (auth.uid(), 'container', 'learn')
returning id;

-- name: submit_answer
select public.submit_answer(%(session_id)s, %(question_id)s, to_jsonb(%(answer)s::text), %(response_time_ms)s,
                            %(idempotency_key)s) as result;

-- name: leaderboard
select rank, nickname, score, is_me
from public.get_leaderboard(%(organization_id)s, 'xp', 'all_time', 'organization', null, 10);

-- name: my_rank
select rank, nickname, score, is_me
from public.get_leaderboard_around_me(%(organization_id)s, 'xp', 'all_time', 'organization', null, 2);

-- name: hinted_question
-- A published question of the student's organization with a hint (read by the owner to script the demo).
select h.question_id
from public.question_hints h
join public.questions q on q.id = h.question_id
where q.is_published and (q.organization_id is null or q.organization_id = %(organization_id)s)
order by q.lesson_id nulls last, q.sequence_number, q.id
limit 1;

-- name: use_hint
-- The hint economy: free hints per local day, then XP; hints are not readable otherwise.
select public.use_hint(%(question_id)s, %(idempotency_key)s) as result,
       (select count(*) from public.question_hints) as hints_readable;
