-- bench/rls_overhead.py: a population generated set-based (triggers off while
-- loading: 10M attempts through the award trigger would take hours; the
-- derived rows are built set-based instead), then the dashboards' queries.
-- Ids are md5-derived so every generator can compute them without lookups.

-- name: load_people
-- %(students)s students in organizations of 50, one educator per organization,
-- one guardian per two students (siblings), all members of the organization.
insert into public.subjects (id, slug, name) values (md5('subject')::uuid, 'bench-language', 'Language');
insert into auth.users (id, email, raw_user_meta_data)
select md5('student' || i)::uuid, 'student' || i || '@bench.learnkit.dev', '{}'::jsonb
from generate_series(1, %(students)s) i
union all
select md5('guardian' || i)::uuid, 'guardian' || i || '@bench.learnkit.dev', '{}'::jsonb
from generate_series(1, %(students)s / 2) i
union all
select md5('educator' || i)::uuid, 'educator' || i || '@bench.learnkit.dev', '{}'::jsonb
from generate_series(1, %(organizations)s) i;
insert into public.profiles (id, nickname, time_zone)
select id, split_part(email, '@', 1), 'Europe/Paris' from auth.users where email like '%%@bench.learnkit.dev';
insert into public.xp_profiles (user_id, xp, lifetime_xp, current_streak)
select md5('student' || i)::uuid, (i * 37) %% 5000, (i * 37) %% 5000, i %% 30
from generate_series(1, %(students)s) i;
insert into public.organizations (id, name, slug, kind, max_students)
select md5('org' || o)::uuid, 'School ' || o, 'bench-school-' || o, 'school', 100
from generate_series(1, %(organizations)s) o;
insert into public.organization_members (organization_id, user_id, role)
select md5('org' || ((i - 1) / 50 + 1))::uuid, md5('student' || i)::uuid, 'student'::public.organization_role
from generate_series(1, %(students)s) i
union all
select md5('org' || ((2 * i - 2) / 50 + 1))::uuid, md5('guardian' || i)::uuid, 'parent'
from generate_series(1, %(students)s / 2) i
union all
select md5('org' || o)::uuid, md5('educator' || o)::uuid, 'educator'
from generate_series(1, %(organizations)s) o;
insert into public.guardianships (guardian_id, student_id)
select md5('guardian' || ((i + 1) / 2))::uuid, md5('student' || i)::uuid
from generate_series(1, %(students)s / 2 * 2) i;

-- name: load_content
-- Global published content: 40 lessons (word and sentence) and the Math
-- engine's addition track, a 13 × 13 grid of facts.
insert into public.courses (id, subject_id, kind, slug, title, is_published)
values (md5('course')::uuid, md5('subject')::uuid, 'course', 'bench-words', 'Words and sentences', true),
       (md5('track')::uuid, md5('subject')::uuid, 'track', 'bench-addition', 'Addition facts', true);
insert into public.lessons (id, course_id, title, lesson_type, order_index, is_published)
select md5('lesson' || n)::uuid, md5('course')::uuid, 'Lesson ' || n,
       (case when n %% 2 = 0 then 'word' else 'sentence' end)::public.lesson_type, n, true
from generate_series(1, 40) n;
insert into public.questions (id, course_id, question_type, operand1, operand2, operation, is_published)
select md5('fact' || a || '+' || b)::uuid, md5('track')::uuid, 'math_fact', a, b, '+', true
from generate_series(0, 12) a, generate_series(0, 12) b;

-- name: load_activity
-- Per student: %(sessions)s finished sessions over 60 days, %(attempts)s answers
-- spread over them, 3 tutor chats of 5 messages.
insert into public.learning_sessions (id, user_id, session_type, mode, lesson_id, status, score, feedback,
                                      started_at, ended_at)
select md5('session' || i || '.' || s)::uuid, md5('student' || i)::uuid, 'practice', 'practice',
       md5('lesson' || (1 + (i + s) %% 40))::uuid, 'completed', 40 + (i * 7 + s * 13) %% 61,
       jsonb_build_object('summary', 'Session ' || s),
       now() - make_interval(days => s * 3 %% 60, mins => 20), now() - make_interval(days => s * 3 %% 60)
from generate_series(1, %(students)s) i, generate_series(1, %(sessions)s) s;
insert into public.answer_attempts (user_id, session_id, question_id, answer, is_correct, response_time_ms,
                                    attempt_number, answered_at)
select md5('student' || i)::uuid, md5('session' || i || '.' || (1 + k %% %(sessions)s))::uuid,
       md5('fact' || ((i + k) %% 13) || '+' || ((i * 3 + k * 7) %% 13))::uuid,
       to_jsonb((i + k) %% 25), (i + k) %% 5 <> 0, 800 + (i * k) %% 5000, 1,
       now() - make_interval(days => (1 + k %% %(sessions)s) * 3 %% 60)
from generate_series(1, %(students)s) i, generate_series(1, %(attempts)s) k;
insert into public.chat_sessions (id, user_id, title, updated_at)
select md5('chat' || i || '.' || c)::uuid, md5('student' || i)::uuid, 'Chat ' || c, now() - make_interval(days => c)
from generate_series(1, %(students)s) i, generate_series(1, 3) c;
insert into public.chat_messages (chat_id, user_id, sender, content)
select md5('chat' || i || '.' || c)::uuid, md5('student' || i)::uuid,
       (case when m %% 2 = 1 then 'user' else 'tutor' end)::public.chat_sender, 'Message ' || m
from generate_series(1, %(students)s) i, generate_series(1, 3) c, generate_series(1, 5) m;

-- name: derive_progress
-- What the mastery trigger would have kept, set-based.
insert into public.question_progress (user_id, question_id, total_attempts, correct_attempts, incorrect_attempts,
                                      average_response_time_ms, last_attempt_at, mastery, fluency_level)
select user_id, question_id, count(*), count(*) filter (where is_correct), count(*) filter (where not is_correct),
       avg(response_time_ms)::integer, max(answered_at),
       round((count(*) filter (where is_correct))::numeric / count(*), 2),
       (case when count(*) filter (where is_correct) * 10 > count(*) * 9 then 'fluency_6s' else 'learning' end)
         ::public.fluency_level
from public.answer_attempts
group by user_id, question_id;

-- name: sample_students
select md5('student' || i)::uuid as user_id
from generate_series(1, %(students)s, greatest(1, %(students)s / %(samples)s)) i
limit %(samples)s;

-- name: sample_guardians
-- Each sampled guardian with their first child (guardian i's children are students 2i-1 and 2i).
select md5('guardian' || i)::uuid as user_id, md5('student' || (2 * i - 1))::uuid as student_id
from generate_series(1, %(students)s / 2, greatest(1, %(students)s / 2 / %(samples)s)) i
limit %(samples)s;

-- name: explain
-- Planning and execution time of one of the queries below (composed in with psycopg.sql).
explain (analyze, summary, format json) {}

-- name: dashboard_snapshot
-- SignifyAI §5.1 on learnkit's tables.
select p.nickname, x.xp, x.level,
       coalesce(sum(s.score)::numeric / nullif(count(s.id), 0), 0) as avg_score,
       count(distinct case when s.ended_at > now() - interval '7 days' then s.id end) as sessions_this_week,
       count(distinct l.id) filter (where l.lesson_type = 'word') as word_lessons_completed,
       count(distinct l.id) filter (where l.lesson_type = 'sentence') as sentence_lessons_completed
from public.profiles p
join public.xp_profiles x on x.user_id = p.id
left join public.learning_sessions s on s.user_id = p.id and s.ended_at is not null
left join public.lessons l on l.id = s.lesson_id
where p.id = (select auth.uid())
group by p.nickname, x.xp, x.level;

-- name: recent_conversations
-- SignifyAI §5.2.
select cs.id, cs.title, cs.created_at,
       jsonb_build_object('last_message', cm.content, 'updated_at', cm.created_at) as last_message
from public.chat_sessions cs
join lateral (
  select content, created_at from public.chat_messages where chat_id = cs.id order by sequence desc limit 1
) cm on true
where cs.user_id = (select auth.uid())
order by cs.updated_at desc
limit 10;

-- name: practice_history
-- SignifyAI §5.3.
select s.id, s.mode, s.score, s.feedback ->> 'summary' as feedback_summary, s.ended_at, l.title
from public.learning_sessions s
left join public.lessons l on l.id = s.lesson_id
where s.user_id = (select auth.uid())
order by s.ended_at desc nulls last
limit 20;

-- name: fact_grid
-- The Math engine's grid query (the value column is the hidden answer key: not for students).
select q.operand1 as row, q.operand2 as col, q.operation,
       coalesce(qp.mastery, 0) as mastery, coalesce(qp.fluency_level, 'not_started') as fluency_level,
       qp.last_attempt_at, qp.average_response_time_ms, qp.total_attempts,
       case when qp.total_attempts > 0 then qp.correct_attempts::float / qp.total_attempts * 100 else 0 end
         as accuracy
from public.questions q
left join public.question_progress qp on qp.question_id = q.id and qp.user_id = (select auth.uid())
where q.course_id = md5('track')::uuid and q.operation = '+'
order by q.operand1, q.operand2;

-- name: guardian_overview
-- A guardian's view of all their children read from the tables (RLS on five of
-- them): this week's sessions and accuracy. For reference: the product serves
-- a child's overview through public.get_child_overview() (child_overview_rpc).
select p.id, p.nickname, x.xp, x.level, x.current_streak,
       (select count(*) from public.learning_sessions s
        where s.user_id = p.id and s.started_at > now() - interval '7 days') as sessions_this_week,
       (select round(avg(case when a.is_correct then 100 else 0 end), 1) from public.answer_attempts a
        where a.user_id = p.id and a.answered_at > now() - interval '7 days') as accuracy_this_week
from public.guardianships g
join public.profiles p on p.id = g.student_id
join public.xp_profiles x on x.user_id = p.id
where g.guardian_id = (select auth.uid())
order by p.nickname;

-- name: child_overview_rpc
-- The guardian's overview of one child as the product serves it (PostgREST's
-- /rpc/get_child_overview): the guardianship checked once, then read as owner.
select * from public.get_child_overview(%(student_id)s);

-- name: child_overview
-- The same overview read straight from the tables: the unsecured baseline, as
-- service_role (the statement private.child_overview() runs after its check).
select p.nickname, x.xp, x.level, x.current_streak,
       (select count(*) from public.learning_sessions s
        where s.user_id = p.id and s.started_at > now() - interval '7 days'),
       (select round(avg(case when a.is_correct then 100 else 0 end), 1) from public.answer_attempts a
        where a.user_id = p.id and a.answered_at > now() - interval '7 days')
from public.profiles p
left join public.xp_profiles x on x.user_id = p.id
where p.id = %(student_id)s;
