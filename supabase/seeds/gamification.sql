-- Gamification demo data: achievements, daily challenges around today, and an
-- XP history for the seed's students, awarded through private.increment_xp so
-- ledger, levels, streaks and leaderboards agree. Re-runnable: definitions skip
-- existing rows and every award has a fixed idempotency key.

-- ---------------------------------------------------------------- achievements
insert into public.achievements (slug, name, description, criteria, target, rarity, is_secret, xp_reward, display_order)
values
  ('first-steps', 'First Steps', 'Earn your first 100 XP.', 'xp_total', 100, 'common', false, 10, 1),
  ('xp-1000', 'Thousand Club', 'Earn 1,000 XP.', 'xp_total', 1000, 'rare', false, 50, 2),
  ('xp-10000', 'XP Legend', 'Earn 10,000 XP.', 'xp_total', 10000, 'legendary', false, 500, 3),
  ('streak-3', 'On a Roll', 'Learn 3 days in a row.', 'streak', 3, 'common', false, 15, 10),
  ('streak-7', 'Week Warrior', 'Learn 7 days in a row.', 'streak', 7, 'rare', false, 50, 11),
  ('streak-30', 'Unstoppable', 'Learn 30 days in a row.', 'streak', 30, 'epic', false, 250, 12),
  ('lessons-1', 'Lesson Learned', 'Complete a lesson.', 'lessons_completed', 1, 'common', false, 10, 20),
  ('lessons-10', 'Bookworm', 'Complete 10 lessons.', 'lessons_completed', 10, 'rare', false, 100, 21),
  ('perfect-1', 'Flawless', 'Get a perfect score.', 'perfect_scores', 1, 'rare', false, 25, 30),
  ('skills-5', 'Skill Collector', 'Master 5 skills.', 'skills_mastered', 5, 'epic', false, 100, 40),
  ('speed-25', 'Lightning Fingers', 'Answer 25 questions right on the first try, fast.', 'speed', 25, 'rare', false,
   50, 50),
  ('challenges-5', 'Challenger', 'Win 5 daily challenges.', 'challenges_won', 5, 'rare', false, 75, 60),
  ('night-owl', 'Secret Scholar', 'A secret: keep going and you will find it.', 'xp_total', 5000, 'epic', true, 200, 99)
on conflict do nothing;

-- ---------------------------------------------------------------- daily challenges
insert into public.daily_challenges (challenge_date, slug, name, description, challenge_type, target, xp_reward)
select day::date, kind.slug, kind.name, kind.description, kind.challenge_type, kind.target, kind.xp_reward
from generate_series(current_date - 7, current_date + 14, interval '1 day') as day
cross join (values
  ('ten-right', 'Ten Right', 'Answer 10 questions correctly today.', 'correct_answers', 10, 20),
  ('xp-50', 'Fifty Today', 'Earn 50 learning XP today.', 'xp_earned', 50, 15),
  ('quick-5', 'Quick Five', 'Answer 5 questions right on the first try within 5 seconds.', 'fast_answers', 5, 15)
) as kind (slug, name, description, challenge_type, target, xp_reward)
on conflict do nothing;

-- ---------------------------------------------------------------- xp history
-- Each seed student practised on some of the last 14 days (a streak for many), in their organization (XP of no
-- organization would count on no board).
select private.increment_xp(
  student.id, 10 + (student.n * 7 + day.n * 13) % 40, 'practice', 'learning',
  format('seed:%s:%s', student.n, day.n), private.home_organization(student.id), 'seed', null,
  now() - make_interval(days => 14 - day.n))
from (
  select n, ('5eed0000-0000-4000-8000-' || lpad(to_hex(256 + n), 12, '0'))::uuid as id
  from generate_series(1, 34) as n
) as student
cross join generate_series(1, 14) as day (n)
where exists (select from public.profiles as p where p.id = student.id)
  and (day.n > student.n % 9 or (student.n + day.n) % 4 = 0)
order by student.n, day.n;

-- Last of the seed files: the seed's answers and awards left their progress, achievements, challenges and rank
-- counts for the process-awards job (private.process_awards); apply them all now, as the job would within a
-- second.
select private.drain_awards();
