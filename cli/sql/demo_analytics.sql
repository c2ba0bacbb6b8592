-- SQL of cli/demo_analytics.py: demo learning activity and the dashboard read from the rollups.

-- name: demo_learners
select id, nickname, time_zone from public.profiles where nickname like 'demo-learner-%' order by nickname;

-- name: insert_demo_events
-- Two weeks of deterministic practice for one learner: sessions, answers (four in five correct) and facts.
insert into public.learning_events (user_id, event_type, mode, session_id, is_correct, response_ms, active_seconds,
                                    score, xp, occurred_at)
select %(user_id)s, kind.event_type, kind.mode, null,
       case when kind.event_type = 'answer' then (day + n) %% 5 <> 0 end,
       case when kind.event_type = 'answer' then 800 + 97 * ((day * 7 + n) %% 13) end,
       case when kind.event_type = 'session_completed' then 480 + 60 * ((day + %(seed)s) %% 15) else 0 end,
       case when kind.event_type = 'session_completed' then 60 + (day * 11 + %(seed)s) %% 40 end,
       case when kind.event_type = 'answer' then 5 else 0 end,
       %(today)s::timestamptz - make_interval(days => day, hours => 2 + n %% 6)
from generate_series(0, 13) as day
cross join generate_series(1, 6) as n
cross join lateral (values
  ('answer', case when n %% 2 = 0 then 'quiz' else 'practice' end),
  (case when n = 1 then 'session_completed' else 'fact_reviewed' end, case when day %% 2 = 0 then 'quiz' else 'practice' end)
) as kind (event_type, mode)
where (day + %(seed)s) %% 7 <> 3;  -- a missed day a week

-- name: dashboard
select p.nickname as learner, s.day, s.total_minutes, s.sessions, s.questions_answered, s.accuracy,
       s.time_by_mode, s.daily_goal_met
from public.daily_practice_summaries s
join public.profiles p on p.id = s.user_id
where s.day > %(today)s::date - 7
order by p.nickname, s.day;

-- name: metrics_by_mode
select mode, sum(sessions) as sessions, sum(xp_gained) as xp, round(avg(average_score), 1) as average_score,
       round(100.0 * sum(correct_answers) / nullif(sum(answers), 0), 1) as accuracy
from public.practice_metrics_daily
group by mode order by mode;
