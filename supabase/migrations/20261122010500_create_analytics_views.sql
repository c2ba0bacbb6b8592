-- create analytics views
--
-- The dashboards of every blueprint, as views in public over the rollups in
-- schema analytics. All are security_invoker: they run with the caller's
-- rights, so the rollups' row level security shows each caller only their own
-- days, their students' and their organizations' students' (a plain view or a
-- materialized view would run as its owner and show everyone's).

-- ---------------------------------------------------------------- practice_metrics_daily (SignifyAI)
create view public.practice_metrics_daily with (security_invoker = true) as
select user_id, day, mode, sessions, xp_gained,
  round(score_sum / nullif(score_count, 0), 2) as average_score,
  answers, correct_answers,
  round(100.0 * correct_answers / nullif(answers, 0), 2) as accuracy,
  round(active_seconds / 60.0, 1) as active_minutes
from analytics.user_mode_daily;
comment on view public.practice_metrics_daily is
  'Per user, local day and practice mode: sessions, XP gained, average score, answers, accuracy (%).';

-- ---------------------------------------------------------------- daily_practice_summaries (Math engine)
create view public.daily_practice_summaries with (security_invoker = true) as
select d.user_id, d.day,
  (d.active_seconds / 60)::integer as total_minutes,
  d.sessions, d.questions_answered, d.correct_answers,
  round(100.0 * d.correct_answers / nullif(d.questions_answered, 0), 2) as accuracy,
  (d.response_ms_sum / nullif(d.response_count, 0))::integer as average_response_ms,
  d.facts_reviewed, d.new_facts_learned, d.facts_mastered,
  (select jsonb_object_agg(m.mode, (m.active_seconds / 60)::integer order by m.mode)
   from analytics.user_mode_daily as m where m.user_id = d.user_id and m.day = d.day) as time_by_mode,
  d.xp_gained, d.daily_goal_minutes,
  d.active_seconds >= d.daily_goal_minutes * 60 as daily_goal_met
from analytics.user_daily as d;
comment on view public.daily_practice_summaries is
  'Per user and local day: minutes, sessions, answers, accuracy (%), facts, minutes by mode and whether the '
  'daily goal (user_settings.daily_goal_minutes when the day was rolled up) was met.';

-- ---------------------------------------------------------------- engagement_analytics (Spool)
create view public.engagement_analytics with (security_invoker = true) as
select user_id, day,
  (active_seconds / 60)::integer as total_minutes,
  (lesson_seconds / 60)::integer as lesson_minutes,
  (exercise_seconds / 60)::integer as exercise_minutes,
  concepts_viewed, exercises_completed, exercises_mastered,
  sessions as session_count,
  (active_seconds / 60 / nullif(sessions, 0))::integer as average_session_minutes,
  concepts_mastered,
  round(mastery_score_sum / nullif(mastery_score_count, 0), 2) as average_mastery_score,
  remediation_sessions
from analytics.user_daily;
comment on view public.engagement_analytics is
  'Per user and local day: time by kind, concepts and exercises, sessions, mastery, remediation.';

-- ---------------------------------------------------------------- learning_analytics (AI Learning Assistant)
create view public.learning_analytics with (security_invoker = true) as
select user_id, day as session_date,
  active_seconds as session_duration,
  lessons_completed, assessments_completed,
  score_sum as total_score
from analytics.user_daily;
comment on view public.learning_analytics is
  'Per user and local day: seconds spent, lessons and assessments completed, total score.';

-- ---------------------------------------------------------------- Pathfinity
create view public.career_analytics with (security_invoker = true) as
select day, value as career, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'career' group by day, value;
comment on view public.career_analytics is 'Per local day and career: learners, events and minutes (of rows you may see).';

create view public.companion_analytics with (security_invoker = true) as
select day, value as companion, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'companion' group by day, value;
comment on view public.companion_analytics is 'Per local day and AI companion: learners, events and minutes.';

create view public.skill_analytics with (security_invoker = true) as
select day, value as skill, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'skill' group by day, value;
comment on view public.skill_analytics is 'Per local day and skill: learners, events and minutes.';

create view public.journey_analytics with (security_invoker = true) as
select day, value as journey, count(distinct user_id) as learners, sum(events) as events,
  round(sum(duration_seconds) / 60.0, 1) as minutes
from analytics.event_dimension_daily where dimension = 'journey' group by day, value;
comment on view public.journey_analytics is 'Per local day and journey: learners, events and minutes.';

-- ---------------------------------------------------------------- grants
revoke all on public.practice_metrics_daily, public.daily_practice_summaries, public.engagement_analytics,
  public.learning_analytics, public.career_analytics, public.companion_analytics, public.skill_analytics,
  public.journey_analytics from anon, authenticated;
grant select on public.practice_metrics_daily, public.daily_practice_summaries, public.engagement_analytics,
  public.learning_analytics, public.career_analytics, public.companion_analytics, public.skill_analytics,
  public.journey_analytics to authenticated, service_role;
