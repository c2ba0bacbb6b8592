-- mirror xp profiles per statement
--
-- Leaderboard entries mirrored xp_profiles with a row trigger: one function
-- call and one single-row update per changed profile. An award changes one
-- profile, but the recompute-streaks worker rewrites up to every profile in one
-- statement, and its 100k row-trigger calls were a fifth of the job
-- (bench/streaks.py). The mirror is now one set-based update per statement,
-- from the statement's transition tables; a single award costs about the same.

drop trigger xp_profiles_mirror_leaderboard on public.xp_profiles;
drop function private.trigger_mirror_xp_profile();

create function private.trigger_mirror_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    lifetime_xp = changed.lifetime_xp, today = changed.today, today_xp = changed.today_xp,
    week_start = changed.week_start, week_xp = changed.week_xp, current_streak = changed.current_streak,
    streak_last_day = changed.streak_last_day, achievements_unlocked = changed.achievements_unlocked
  from changed_profiles changed
  join previous_profiles previous on previous.user_id = changed.user_id
  where e.user_id = changed.user_id
    and (previous.lifetime_xp, previous.today, previous.today_xp, previous.week_start, previous.week_xp,
         previous.current_streak, previous.streak_last_day, previous.achievements_unlocked)
        is distinct from
        (changed.lifetime_xp, changed.today, changed.today_xp, changed.week_start, changed.week_xp,
         changed.current_streak, changed.streak_last_day, changed.achievements_unlocked);
  return null;
end
$$;
comment on function private.trigger_mirror_xp_profiles() is
  'xp_profiles: copies the scores leaderboards rank by into private.leaderboard_entries, once per statement.';
revoke execute on function private.trigger_mirror_xp_profiles() from public;

create trigger xp_profiles_mirror_leaderboard after update on public.xp_profiles
  referencing old table as previous_profiles new table as changed_profiles
  for each statement execute function private.trigger_mirror_xp_profiles();
