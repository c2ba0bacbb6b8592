-- name: a_seeded_learner_with_an_open_session
-- A seeded learner's open session and a published question of its course with an answer key.
select s.user_id, s.id as session_id, q.id as question_id, k.correct_answer as answer
from public.learning_sessions as s
join public.questions as q on q.course_id = s.course_id and q.is_published and q.question_type = 'math_fact'
join public.question_answer_keys as k on k.question_id = q.id
where s.status in ('active', 'paused') and s.course_id is not null
order by s.started_at desc, q.id
limit 1;

-- name: submit_an_answer
select public.submit_answer(%(session_id)s, %(question_id)s, %(answer)s, 1500, 'demo-top-down') as result;

-- name: insert_an_answer_directly
insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms)
values (%(user_id)s, %(session_id)s, %(question_id)s, %(answer)s, 1500);
