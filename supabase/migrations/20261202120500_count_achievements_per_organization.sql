-- count achievements per organization
--
-- Issue 14, item 4, for the achievements board. Board entries copied the
-- learner's count of unlocked achievements from xp_profiles: achievements of
-- every organization, so a learner who defined easy achievements in an
-- organization of their own (or many organizations) climbed their real
-- organization's achievements board. Now an organization's board counts the
-- achievements of that organization and the platform-wide ones (organization_id
-- null) the learner unlocked:
--   * public.organization_xp gains achievements_unlocked (the organization's
--     own achievements the learner unlocked);
--   * a trigger on user_achievements, when an achievement is unlocked, adds one
--     there and on that organization's board entry, or, for a platform-wide
--     achievement, on every board entry of the learner;
--   * a student joining a board brings both counts; xp_profiles'
--     achievements_unlocked (all of them) is no longer mirrored.
-- Backfills the column and every entry's count from user_achievements.

-- ---------------------------------------------------------------- column
alter table public.organization_xp
  add column achievements_unlocked integer not null default 0 check (achievements_unlocked >= 0);
comment on column public.organization_xp.achievements_unlocked is
  'This organization''s achievements the learner unlocked (its achievements board adds the platform-wide ones).';

-- ---------------------------------------------------------------- counting unlocks
create function private.trigger_count_unlocked_achievement() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  owner uuid;
begin
  if new.unlocked_at is null or (tg_op = 'UPDATE' and old.unlocked_at is not null) then
    return null;
  end if;
  select a.organization_id into owner from public.achievements a where a.id = new.achievement_id;
  if owner is null then
    update private.leaderboard_entries set achievements_unlocked = achievements_unlocked + 1
    where user_id = new.user_id;
  else
    insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
    select new.user_id, owner, 1
    on conflict (user_id, organization_id) do update set
      achievements_unlocked = o.achievements_unlocked + 1, updated_at = now();
    update private.leaderboard_entries set achievements_unlocked = achievements_unlocked + 1
    where user_id = new.user_id and organization_id = owner;
  end if;
  return null;
end
$$;
comment on function private.trigger_count_unlocked_achievement() is
  'user_achievements: an unlock counts on its organization''s achievements board (a platform-wide one on all the '
  'learner''s boards).';

create trigger user_achievements_count_unlocked after insert or update of unlocked_at on public.user_achievements
  for each row execute function private.trigger_count_unlocked_achievement();

-- The unlocked platform-wide achievements of a learner (what every board of theirs counts besides its own).
create function private.platform_achievements_unlocked(learner uuid) returns integer
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return (select count(*)::integer from public.user_achievements ua
          join public.achievements a on a.id = ua.achievement_id
          where ua.user_id = learner and ua.unlocked_at is not null and a.organization_id is null);
end
$$;
comment on function private.platform_achievements_unlocked(uuid) is
  'How many platform-wide achievements (no organization) a learner unlocked.';

-- ---------------------------------------------------------------- mirrors
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
    select p.id, new.organization_id, p.grade_level, p.time_zone, coalesce(o.lifetime_xp, 0), o.today,
           coalesce(o.today_xp, 0), o.week_start, coalesce(o.week_xp, 0), s.current_streak, s.streak_last_day,
           coalesce(o.achievements_unlocked, 0) + private.platform_achievements_unlocked(p.id), p.nickname,
           p.avatar_url, s.leaderboard_opt_out
    from public.profiles p
    join public.xp_profiles s on s.user_id = p.id
    left join public.organization_xp o on o.user_id = p.id and o.organization_id = new.organization_id
    where p.id = new.user_id
    on conflict do nothing;
  end if;
  return null;
end
$$;

create or replace function private.trigger_mirror_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    current_streak = changed.current_streak, streak_last_day = changed.streak_last_day,
    leaderboard_opt_out = changed.leaderboard_opt_out
  from changed_profiles changed
  join previous_profiles previous on previous.user_id = changed.user_id
  where e.user_id = changed.user_id
    and (previous.current_streak, previous.streak_last_day, previous.leaderboard_opt_out)
        is distinct from
        (changed.current_streak, changed.streak_last_day, changed.leaderboard_opt_out);
  return null;
end
$$;
comment on function private.trigger_mirror_xp_profiles() is
  'xp_profiles: copies streaks and the opt-out into private.leaderboard_entries, once per statement (XP and '
  'achievements come from organization_xp).';

create or replace function private.trigger_mirror_inserted_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    current_streak = added.current_streak, streak_last_day = added.streak_last_day,
    leaderboard_opt_out = added.leaderboard_opt_out
  from added_profiles added
  where e.user_id = added.user_id;
  return null;
end
$$;
comment on function private.trigger_mirror_inserted_xp_profiles() is
  'xp_profiles: an XP profile inserted under existing leaderboard entries (a snapshot restore) is mirrored into '
  'them (streaks, opt-out), once per statement.';

revoke execute on function
  private.trigger_count_unlocked_achievement(),
  private.platform_achievements_unlocked(uuid)
  from public;

-- ---------------------------------------------------------------- repairs
create or replace function private.rebuild_organization_xp(learners uuid[]) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  rebuilt bigint;
begin
  delete from public.organization_xp where user_id = any (learners);
  with earned as (
    select t.user_id, coalesce(t.organization_id, private.home_organization(t.user_id)) as organization_id,
           t.amount, t.local_day, t.local_day - (extract(isodow from t.local_day)::integer - 1) as week_start
    from public.xp_transactions t
    where t.user_id = any (learners) and t.kind = 'earned'
  ), latest as (
    select e.user_id, e.organization_id, sum(e.amount) as lifetime_xp, max(e.local_day) as today,
           max(e.week_start) as week_start
    from earned e
    where e.organization_id in (select o.id from public.organizations o)
    group by e.user_id, e.organization_id
  )
  insert into public.organization_xp (user_id, organization_id, lifetime_xp, today, today_xp, week_start, week_xp)
  select l.user_id, l.organization_id, l.lifetime_xp, l.today,
         (select coalesce(sum(e.amount), 0) from earned e
          where e.user_id = l.user_id and e.organization_id = l.organization_id and e.local_day = l.today),
         l.week_start,
         (select coalesce(sum(e.amount), 0) from earned e
          where e.user_id = l.user_id and e.organization_id = l.organization_id and e.week_start = l.week_start)
  from latest l;
  get diagnostics rebuilt = row_count;
  insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
  select ua.user_id, a.organization_id, count(*)
  from public.user_achievements ua
  join public.achievements a on a.id = ua.achievement_id
  where ua.user_id = any (learners) and ua.unlocked_at is not null and a.organization_id is not null
  group by ua.user_id, a.organization_id
  on conflict (user_id, organization_id) do update set achievements_unlocked = excluded.achievements_unlocked;
  update private.leaderboard_entries e
  set achievements_unlocked = coalesce((select o.achievements_unlocked from public.organization_xp o
                                        where o.user_id = e.user_id and o.organization_id = e.organization_id), 0)
                              + private.platform_achievements_unlocked(e.user_id)
  where e.user_id = any (learners);
  -- Entries of organizations where they earned nothing show 0.
  update private.leaderboard_entries e set lifetime_xp = 0, today = null, today_xp = 0, week_start = null, week_xp = 0
  where e.user_id = any (learners)
    and not exists (select from public.organization_xp o
                    where o.user_id = e.user_id and o.organization_id = e.organization_id)
    and (e.lifetime_xp, e.today_xp, e.week_xp) is distinct from (0, 0, 0);
  return rebuilt;
end
$$;
comment on function private.rebuild_organization_xp(uuid[]) is
  'Recomputes the learners'' organization_xp (XP from the ledger, XP with no organization going to their home '
  'organization; achievements unlocked) and their board entries. For restores and repairs.';

-- ---------------------------------------------------------------- backfill
insert into public.organization_xp as o (user_id, organization_id, achievements_unlocked)
select ua.user_id, a.organization_id, count(*)
from public.user_achievements as ua
join public.achievements as a on a.id = ua.achievement_id
where ua.unlocked_at is not null and a.organization_id is not null
group by ua.user_id, a.organization_id
on conflict (user_id, organization_id) do update set achievements_unlocked = excluded.achievements_unlocked;

update private.leaderboard_entries as e
set achievements_unlocked = coalesce((select o.achievements_unlocked from public.organization_xp as o
                                      where o.user_id = e.user_id and o.organization_id = e.organization_id), 0)
                            + private.platform_achievements_unlocked(e.user_id);
