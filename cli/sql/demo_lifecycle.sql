-- SQL of cli.demo_lifecycle: a learner, their guardian and last week's learning, for the progress report.

-- name: event_partitions
select private.create_monthly_partitions('public.learning_events', (current_date - interval '1 month')::date, 2)
  as created;

-- name: create_learner
-- A sign-up as Supabase Auth makes it (the trigger creates the profile, settings and PathIQ profile).
insert into auth.users (id, email, raw_user_meta_data)
values (%(id)s, %(email)s, jsonb_build_object('nickname', %(nickname)s::text, 'time_zone', 'UTC'))
returning id;

-- name: link_guardian
insert into public.guardianships (guardian_id, student_id) values (%(guardian)s, %(student)s);

-- name: concepts
-- A concept the learner masters and the one the prerequisite graph unlocks after it.
with subject as (
  insert into public.subjects (slug, name) values ('demo-maths-' || left(md5(%(student)s::text), 8), 'Mathematics')
  returning id
), concepts as (
  insert into public.concepts (subject_id, code, name, is_published)
  select id, code, name, true from subject,
    (values ('demo.add10.' || left(md5(%(student)s::text), 8), 'Addition to 10'),
            ('demo.add20.' || left(md5(%(student)s::text), 8), 'Addition to 20')) as wanted (code, name)
  returning id, name
)
select (select id from concepts where name = 'Addition to 10') as mastered,
       (select id from concepts where name = 'Addition to 20') as next;

-- name: prerequisite
insert into public.concept_prerequisites (concept_id, prerequisite_id) values (%(next)s, %(mastered)s);

-- name: mastery
insert into public.skill_progress (user_id, concept_id, final_mastery_score, mastered_at)
values (%(student)s, %(concept)s, 1, %(at)s);

-- name: last_week_days
-- Three days of last ISO week (UTC) with their minutes of practice.
select (date_trunc('week', now() at time zone 'UTC') - interval '7 days' + make_interval(days => day)
        + interval '16 hours') at time zone 'UTC' as at,
       minutes
from (values (0, 14), (2, 32), (5, 9)) as activity (day, minutes);

-- name: learning_event
insert into public.learning_events (user_id, event_type, mode, active_seconds, xp, occurred_at)
values (%(student)s, 'session_completed', 'practice', %(seconds)s, 10, %(at)s);

-- name: award_xp
select private.increment_xp(%(student)s, %(xp)s, 'demo practice', 'learning', %(key)s, at => %(at)s);

-- name: refresh_rollups
select analytics.refresh_rollups(false) as written;

-- name: database_now
select now() as now;
