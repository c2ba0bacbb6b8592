-- name: a_seeded_learner_and_question
-- A seeded learner, and a published question of a course they are enrolled in that has an answer key.
select e.user_id, q.course_id, q.id as question_id, k.correct_answer::text as answer
from public.enrollments as e
join public.questions as q on q.course_id = e.course_id and q.is_published and q.question_type = 'math_fact'
join public.question_answer_keys as k on k.question_id = q.id
where e.user_id::text like '5eed0000-%%'
order by e.user_id, q.id
limit 1;

-- name: start_a_session
insert into public.learning_sessions (user_id, session_type, course_id)
values (%(user_id)s, 'practice', %(course_id)s)
returning id as session_id;

-- name: serve_the_question
select public.serve_question(%(session_id)s, %(question_id)s);

-- name: submit_an_answer
select public.submit_answer(%(session_id)s, %(question_id)s, %(answer)s::jsonb, 1500, 'demo-top-down') as result;

-- name: insert_an_answer_directly
insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms)
values (%(user_id)s, %(session_id)s, %(question_id)s, %(answer)s::jsonb, 1500);
