-- mirror leaderboard names
--
-- A board row showed its learner through two index lookups per row into the
-- 1M-row public.profiles (nickname, avatar) and public.xp_profiles (opt-out):
-- at 1M students a third of a top-100 request (bench/leaderboard.py). The
-- leaderboard entries now carry what a board shows of a learner: nickname,
-- avatar_url and leaderboard_opt_out, kept current in the same transaction as
-- the change, like the scores:
--   organization_members  a student joining a board copies them (as before for the scores);
--   profiles              nickname / avatar changes, with grade and time zone, by the existing row
--                         trigger, now listing four columns: a statement trigger cannot list
--                         columns (PostgreSQL refuses transition tables with a column list), so it
--                         would run on every profile update, and every answer touches
--                         profiles.last_active_at; a renaming is one row;
--   xp_profiles           the opt-out (updated by the learner) in the existing per-statement
--                         mirror; inserted rows (a snapshot restore re-inserts xp_profiles under
--                         existing entries) by a new per-statement trigger.
-- Deleting a learner still deletes their entries (on delete cascade from profiles).
-- private.leaderboard_entries stays server-written: no privileges for anon or
-- authenticated, RLS on and no policies; only the leaderboard functions read it.
-- Backfills the existing entries (one update of every entry).

-- ---------------------------------------------------------------- columns
alter table private.leaderboard_entries
  add column nickname text,
  add column avatar_url text,
  add column leaderboard_opt_out boolean not null default false;

update private.leaderboard_entries as e
set nickname = p.nickname, avatar_url = p.avatar_url, leaderboard_opt_out = x.leaderboard_opt_out
from public.profiles as p
join public.xp_profiles as x on x.user_id = p.id
where p.id = e.user_id;

alter table private.leaderboard_entries alter column nickname set not null;

comment on column private.leaderboard_entries.nickname is
  'Mirror of profiles.nickname (trigger), the name boards show; never the email.';
comment on column private.leaderboard_entries.avatar_url is 'Mirror of profiles.avatar_url (trigger).';
comment on column private.leaderboard_entries.leaderboard_opt_out is
  'Mirror of xp_profiles.leaderboard_opt_out (trigger): shown to others as "Anonymous learner", without avatar.';
comment on table private.leaderboard_entries is
  'The students of each organization with their scores and what boards show of them (nickname, avatar, opt-out), '
  'mirrored by triggers from xp_profiles, profiles and organization_members. Internal (not exposed; no '
  'privileges for API roles, no policies): boards are read through the leaderboard functions.';

revoke all on table private.leaderboard_entries from public, anon, authenticated;

-- ---------------------------------------------------------------- membership
create or replace function private.trigger_mirror_membership() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.role = 'student' then
    delete from private.leaderboard_entries where user_id = old.user_id and organization_id = old.organization_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.role = 'student' then
    insert into private.leaderboard_entries (user_id, organization_id, grade_level, time_zone, lifetime_xp, today,
      today_xp, week_start, week_xp, current_streak, streak_last_day, achievements_unlocked, nickname, avatar_url,
      leaderboard_opt_out)
    select p.id, new.organization_id, p.grade_level, p.time_zone, s.lifetime_xp, s.today, s.today_xp,
           s.week_start, s.week_xp, s.current_streak, s.streak_last_day, s.achievements_unlocked, p.nickname,
           p.avatar_url, s.leaderboard_opt_out
    from public.profiles p join public.xp_profiles s on s.user_id = p.id
    where p.id = new.user_id
    on conflict do nothing;
  end if;
  return null;
end
$$;

-- ---------------------------------------------------------------- profiles
create or replace function private.trigger_mirror_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries
  set grade_level = new.grade_level, time_zone = new.time_zone, nickname = new.nickname, avatar_url = new.avatar_url
  where user_id = new.id;
  return null;
end
$$;
comment on function private.trigger_mirror_profile() is
  'profiles: copies grade, time zone, nickname and avatar into the learner''s leaderboard entries.';

drop trigger profiles_mirror_leaderboard on public.profiles;
create trigger profiles_mirror_leaderboard
  after update of grade_level, time_zone, nickname, avatar_url on public.profiles
  for each row
  when ((old.grade_level, old.time_zone, old.nickname, old.avatar_url)
        is distinct from (new.grade_level, new.time_zone, new.nickname, new.avatar_url))
  execute function private.trigger_mirror_profile();

-- ---------------------------------------------------------------- xp_profiles
create or replace function private.trigger_mirror_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    lifetime_xp = changed.lifetime_xp, today = changed.today, today_xp = changed.today_xp,
    week_start = changed.week_start, week_xp = changed.week_xp, current_streak = changed.current_streak,
    streak_last_day = changed.streak_last_day, achievements_unlocked = changed.achievements_unlocked,
    leaderboard_opt_out = changed.leaderboard_opt_out
  from changed_profiles changed
  join previous_profiles previous on previous.user_id = changed.user_id
  where e.user_id = changed.user_id
    and (previous.lifetime_xp, previous.today, previous.today_xp, previous.week_start, previous.week_xp,
         previous.current_streak, previous.streak_last_day, previous.achievements_unlocked,
         previous.leaderboard_opt_out)
        is distinct from
        (changed.lifetime_xp, changed.today, changed.today_xp, changed.week_start, changed.week_xp,
         changed.current_streak, changed.streak_last_day, changed.achievements_unlocked,
         changed.leaderboard_opt_out);
  return null;
end
$$;
comment on function private.trigger_mirror_xp_profiles() is
  'xp_profiles: copies the scores leaderboards rank by and the opt-out into private.leaderboard_entries, once '
  'per statement.';

create function private.trigger_mirror_inserted_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    lifetime_xp = added.lifetime_xp, today = added.today, today_xp = added.today_xp,
    week_start = added.week_start, week_xp = added.week_xp, current_streak = added.current_streak,
    streak_last_day = added.streak_last_day, achievements_unlocked = added.achievements_unlocked,
    leaderboard_opt_out = added.leaderboard_opt_out
  from added_profiles added
  where e.user_id = added.user_id;
  return null;
end
$$;
comment on function private.trigger_mirror_inserted_xp_profiles() is
  'xp_profiles: an XP profile inserted under existing leaderboard entries (a snapshot restore) is mirrored into '
  'them, opt-out included, once per statement.';
revoke execute on function private.trigger_mirror_inserted_xp_profiles() from public;

create trigger xp_profiles_mirror_leaderboard_on_insert after insert on public.xp_profiles
  referencing new table as added_profiles
  for each statement execute function private.trigger_mirror_inserted_xp_profiles();
