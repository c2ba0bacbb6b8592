-- add streak days index
--
-- recompute-streaks reads every activity day of the learners it recomputes, in
-- (learner, day) order. xp_activity_days is written day by day, so its heap is
-- in day order and a primary-key scan fetches one heap page per row; this
-- partial index holds exactly the rows and columns the job reads, so the scan
-- is index-only (no heap visits once autovacuum has marked the pages visible).
-- The predicate is the generated is_activity_day, not learning_xp: the award
-- path's updates that raise learning_xp on an activity day leave it true, so
-- they stay HOT-eligible.

create index xp_activity_days_streak_days_idx on public.xp_activity_days (user_id, local_day)
  where is_activity_day;
comment on index public.xp_activity_days_streak_days_idx is
  'recompute-streaks: activity days per learner in order, read index-only.';
