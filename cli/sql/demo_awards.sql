-- Queries of the demo's process-awards section (cli/demo_awards.py).

-- name: learner
-- A seed student and a question they have not answered yet (the owner reads the hidden key only to script the
-- demo), with the organization the answer is earned in.
select m.user_id, p.nickname, q.id as question_id, k.correct_answer #>> '{}' as answer,
       coalesce(q.organization_id, private.home_organization(m.user_id)) as organization_id
from public.organization_members m
join public.profiles p on p.id = m.user_id
join public.questions q on q.is_published and (q.organization_id is null or q.organization_id = m.organization_id)
join public.question_answer_keys k on k.question_id = q.id and k.correct_value is not null
where m.role = 'student'
  and not exists (select from public.answer_attempts a where a.user_id = m.user_id and a.question_id = q.id)
order by m.organization_id, m.user_id, q.lesson_id nulls last, q.sequence_number, q.id
limit 1;

-- name: define_achievement
-- The organization's admin would define it through the API; the demo writes it as the owner.
insert into public.achievements (organization_id, slug, name, description, criteria, target, xp_reward)
values (%(organization_id)s, 'demo-first-answer-' || left(md5(random()::text), 6), 'First answer',
        'Earn your first XP here', 'xp_total', 1, 5)
returning name;

-- name: start_session
insert into public.learning_sessions (user_id, session_type, container)
values (auth.uid(), 'container', 'learn')
returning id;

-- name: submit_answer
select public.submit_answer(%(session_id)s, %(question_id)s, to_jsonb(%(answer)s::text), 1800,
                            %(idempotency_key)s) as result;

-- name: state
-- What the learner sees of the deferred work: achievements unlocked, the question's progress, queued rows.
select (select count(*) from public.user_achievements ua
        where ua.user_id = %(user_id)s and ua.unlocked_at is not null) as achievements,
       (select count(*) from public.question_progress qp
        where qp.user_id = %(user_id)s and qp.question_id = %(question_id)s) as progress_rows,
       (select count(*) from private.award_outbox o where o.user_id = %(user_id)s) as queued,
       (select x.xp from public.xp_profiles x where x.user_id = %(user_id)s) as balance;
