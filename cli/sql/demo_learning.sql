-- Queries of the learning demo. Each runs as the signed-in user (role
-- authenticated, JWT claims): row level security decides what they return.

-- name: demo_student
-- The seed's first Maple Grove student.
select id, nickname from public.profiles where id = '5eed0000-0000-4000-8000-000000000101';

-- name: demo_guardian
-- The seed's first parent, guardian of two Maple Grove students.
select id, nickname from public.profiles where id = '5eed0000-0000-4000-8000-000000000201';

-- name: student_snapshot
-- SignifyAI's dashboard snapshot (§5.1) on learnkit's tables, for auth.uid().
select
  p.nickname,
  p.grade_level::text as grade_level,
  p.time_zone,
  count(s.id) filter (where s.started_at > now() - interval '7 days') as sessions_this_week,
  coalesce(sum(s.questions_attempted) filter (where s.started_at > now() - interval '7 days'), 0)
    as answers_this_week,
  round(100.0 * sum(s.questions_correct) / nullif(sum(s.questions_attempted), 0), 1) as accuracy_percent,
  round(coalesce(sum(s.duration_seconds), 0) / 60.0) as minutes_practised
from public.profiles p
left join public.learning_sessions s on s.user_id = p.id
where p.id = (select auth.uid())
group by p.id;

-- name: student_courses
select c.title, e.progress_percentage, e.lessons_completed, e.status::text as status
from public.enrollments e
join public.courses c on c.id = e.course_id
where e.user_id = (select auth.uid())
order by c.title;

-- name: student_fluency
-- The Math engine's fluency levels over the facts practised, and what is due today.
select
  qp.fluency_level::text as fluency_level,
  count(*) as facts,
  count(*) filter (where qp.next_review_date <= (now() at time zone p.time_zone)::date) as due_today
from public.question_progress qp
join public.profiles p on p.id = qp.user_id
where qp.user_id = (select auth.uid())
group by qp.fluency_level
order by qp.fluency_level;

-- name: student_next_concepts
select code, name, status::text as status, mastery
from public.next_available_concepts((select auth.uid()));

-- name: student_visibility
-- What row level security lets this student see of other people's data.
select
  (select count(*) from public.learning_sessions where user_id <> (select auth.uid())) as others_sessions,
  (select count(*) from public.profiles where id <> (select auth.uid())) as other_profiles,
  (select count(*) from public.question_answer_keys) as answer_keys;

-- name: guardian_children
-- A guardian's overview of each linked student (last 7 days).
select
  p.nickname,
  p.grade_level::text as grade_level,
  count(s.id) filter (where s.started_at > now() - interval '7 days') as sessions_7d,
  round(100.0 * sum(s.questions_correct) filter (where s.started_at > now() - interval '7 days')
        / nullif(sum(s.questions_attempted) filter (where s.started_at > now() - interval '7 days'), 0), 1)
    as accuracy_7d,
  (select count(*) from public.question_progress qp
   where qp.user_id = p.id and qp.fluency_level = 'mastered') as facts_mastered,
  (select count(*) from public.skill_progress sp
   where sp.user_id = p.id and sp.status = 'mastered') as skills_mastered,
  (select round(avg(e.progress_percentage), 1) from public.enrollments e where e.user_id = p.id)
    as course_progress,
  to_char(p.last_active_at at time zone p.time_zone, 'YYYY-MM-DD HH24:MI') as last_active
from public.guardianships g
join public.profiles p on p.id = g.student_id
left join public.learning_sessions s on s.user_id = p.id
where g.guardian_id = (select auth.uid())
group by p.id
order by p.nickname;

-- name: guardian_recent_sessions
select
  p.nickname,
  to_char(s.started_at at time zone p.time_zone, 'Dy DD Mon HH24:MI') as started,
  c.title as course,
  s.questions_correct || '/' || s.questions_attempted as correct,
  s.duration_seconds / 60 as minutes
from public.learning_sessions s
join public.profiles p on p.id = s.user_id
left join public.courses c on c.id = s.course_id
where s.user_id in (select student_id from public.guardianships where guardian_id = (select auth.uid()))
order by s.started_at desc
limit 6;

-- name: guardian_visibility
-- What the guardian may do: read, never write, their students' activity.
select
  (select count(distinct user_id) from public.learning_sessions) as students_visible,
  (select count(*) from public.question_answer_keys) as answer_keys;

-- name: guardian_try_write
-- Changes nothing: RLS gives a guardian no row to update.
update public.learning_sessions set status = 'abandoned'
where user_id in (select student_id from public.guardianships where guardian_id = (select auth.uid()))
returning id;

-- name: guardian_child_overview
-- The same overview as the app would fetch it: POST /rpc/get_child_overview for each linked child.
select p.nickname, o.xp, o.level, o.current_streak, o.sessions_this_week, o.accuracy_this_week
from public.guardianships g
join public.profiles p on p.id = g.student_id
cross join lateral public.get_child_overview(g.student_id) o
where g.guardian_id = (select auth.uid())
order by p.nickname;
