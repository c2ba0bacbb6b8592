-- SQL of workers.reports: the weekly guardian progress report.

-- name: students
-- The students a weekly report is written for: every learner with a linked guardian.
select distinct g.student_id
from public.guardianships g
order by g.student_id;

-- name: student
select p.id, p.nickname, p.time_zone,
       coalesce(x.xp, 0) as xp, coalesce(x.lifetime_xp, 0) as lifetime_xp, coalesce(x.level, 1) as level,
       x.next_level_xp, x.pathiq_tier, coalesce(x.current_streak, 0) as current_streak,
       coalesce(x.best_streak, 0) as best_streak, coalesce(x.current_weekly_streak, 0) as current_weekly_streak
from public.profiles p
left join public.xp_profiles x on x.user_id = p.id
where p.id = %(student_id)s;

-- name: daily_activity
-- The 7 local days of the week: active time from the daily rollups, XP from the XP day ledger.
select days.day::date as day,
       coalesce(u.active_seconds, 0) as active_seconds,
       coalesce(u.questions_answered, 0) as questions_answered,
       coalesce(u.lessons_completed, 0) as lessons_completed,
       coalesce(x.earned_xp, 0) as earned_xp
from generate_series(%(period_start)s::date, %(period_start)s::date + 6, interval '1 day') as days (day)
left join analytics.user_daily u on u.user_id = %(student_id)s and u.day = days.day::date
left join public.xp_activity_days x on x.user_id = %(student_id)s and x.local_day = days.day::date
order by days.day;

-- name: mastered_skills
-- Mastered concepts, newest first; new_this_week when mastered on a local day of the week.
select c.name, c.code, sp.mastered_at,
       coalesce((sp.mastered_at at time zone p.time_zone)::date between %(period_start)s::date
                                                                   and %(period_start)s::date + 6, false)
         as new_this_week
from public.skill_progress sp
join public.concepts c on c.id = sp.concept_id
join public.profiles p on p.id = sp.user_id
where sp.user_id = %(student_id)s and sp.status = 'mastered'
order by sp.mastered_at desc nulls last, c.name;

-- name: next_concepts
-- The prerequisite graph's next steps, limited to concepts the student can see (global or their organizations').
select next.name, next.code
from public.next_available_concepts(%(student_id)s, null) as next
join public.concepts c on c.id = next.concept_id
where c.is_published
  and (c.organization_id is null
       or c.organization_id in (select m.organization_id from public.organization_members m
                                where m.user_id = %(student_id)s))
limit %(limit)s;

-- name: record_report
insert into public.progress_reports (student_id, period, period_start, period_end, object_path, target, location,
                                     byte_size, sha256, generated_at)
values (%(student_id)s, %(period)s, %(period_start)s, %(period_start)s::date + 6, %(object_path)s, %(target)s,
        %(location)s, %(byte_size)s, %(sha256)s, %(generated_at)s)
on conflict (student_id, period) do update
set object_path = excluded.object_path, target = excluded.target, location = excluded.location,
    byte_size = excluded.byte_size, sha256 = excluded.sha256, generated_at = excluded.generated_at
returning (xmax = 0) as created;
