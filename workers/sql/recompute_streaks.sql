-- SQL of workers.recompute_streaks.

-- name: recompute
-- Set-based gaps and islands for the learners queued since the last run (private.recompute_streaks).
select private.recompute_streaks() as changed;

-- name: queue_all
-- The fallback: queue every learner with an activity day (e.g. after a bulk import).
insert into private.streak_recompute_queue (user_id)
select distinct user_id from public.xp_activity_days where is_activity_day
on conflict (user_id) do nothing;
