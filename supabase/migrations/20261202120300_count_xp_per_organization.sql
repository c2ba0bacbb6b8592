-- count xp per organization
--
-- Issue 14, item 4. Leaderboard entries (private.leaderboard_entries, one per
-- student and organization) mirrored the learner's GLOBAL lifetime, today's
-- and this week's XP into every organization's board, and leagues ranked the
-- week's XP from every organization: XP minted in an organization of one's own
-- (generous rules, huge achievement rewards, one's own questions) lifted the
-- learner on their real organization's boards and in its league.
--
-- Now XP is attributed to the organization it was earned in:
--   * public.organization_xp, one row per learner and organization: lifetime,
--     today's and this week's XP earned there (local days as in 20261202120200)
--     and the level they make. private.apply_xp_change adds to it in the same
--     transaction (one upsert per award that earns XP). XP with no organization
--     (streak milestones, platform-wide achievements, service_role gifts) is
--     earned in the learner's home organization (the first they joined as a
--     student), whose rules paid it; with none, it counts on no board. The
--     ledger and the analytics event record that organization.
--   * Boards read the entries, which now copy the XP columns from
--     organization_xp (trigger) instead of xp_profiles; a student joining a
--     board brings the XP they earned there. xp_profiles still feeds streaks,
--     achievements unlocked and the opt-out.
--   * Leagues rank the XP a member earned in the league's organization on the
--     week's local days (private.organization_weekly_xp, from the ledger).
--   * Staff read organization_xp rows of the organizations they staff, for
--     their current students there (private.staff_learner_pairs()); learners
--     their own, guardians their children's. Nobody but learnkit writes it.
-- Backfill: organization_xp from the ledger (rows with no organization go to
-- the home organization), then every entry's XP from it (the count tree
-- follows through its update trigger).

-- ---------------------------------------------------------------- organization_xp
create table public.organization_xp (
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  lifetime_xp bigint not null default 0 check (lifetime_xp >= 0),
  level integer generated always as (public.level_for_xp(lifetime_xp)) stored,
  today date,
  today_xp integer not null default 0 check (today_xp >= 0),
  week_start date,
  week_xp integer not null default 0 check (week_xp >= 0),
  updated_at timestamptz not null default now(),
  primary key (user_id, organization_id)
);
create index organization_xp_organization_id_idx on public.organization_xp (organization_id, user_id);

alter table public.organization_xp enable row level security;
comment on table public.organization_xp is
  'XP a learner earned in one organization (lifetime, today, this week, the level it makes): what that '
  'organization''s boards, leagues and staff see. Written only by private.apply_xp_change.';
comment on column public.organization_xp.lifetime_xp is 'All XP earned in this organization (spending never lowers it).';
comment on column public.organization_xp.today is 'The learner''s local day today_xp counts.';
comment on column public.organization_xp.week_start is 'Monday of the local week week_xp counts.';

revoke all on table public.organization_xp from anon, authenticated;
grant select on table public.organization_xp to authenticated;
grant all on table public.organization_xp to service_role;

-- ---------------------------------------------------------------- mirror into the boards
create function private.trigger_mirror_organization_xp() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries set
    lifetime_xp = new.lifetime_xp, today = new.today, today_xp = new.today_xp, week_start = new.week_start,
    week_xp = new.week_xp
  where user_id = new.user_id and organization_id = new.organization_id;
  return null;
end
$$;
comment on function private.trigger_mirror_organization_xp() is
  'organization_xp: copies the XP a learner earned in an organization into their entry on its boards.';

create trigger organization_xp_mirror_leaderboard after insert or update on public.organization_xp
  for each row execute function private.trigger_mirror_organization_xp();

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
           s.achievements_unlocked, p.nickname, p.avatar_url, s.leaderboard_opt_out
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
    achievements_unlocked = changed.achievements_unlocked, leaderboard_opt_out = changed.leaderboard_opt_out
  from changed_profiles changed
  join previous_profiles previous on previous.user_id = changed.user_id
  where e.user_id = changed.user_id
    and (previous.current_streak, previous.streak_last_day, previous.achievements_unlocked,
         previous.leaderboard_opt_out)
        is distinct from
        (changed.current_streak, changed.streak_last_day, changed.achievements_unlocked,
         changed.leaderboard_opt_out);
  return null;
end
$$;
comment on function private.trigger_mirror_xp_profiles() is
  'xp_profiles: copies streaks, achievements unlocked and the opt-out into private.leaderboard_entries, once per '
  'statement (XP comes from organization_xp).';

create or replace function private.trigger_mirror_inserted_xp_profiles() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.leaderboard_entries e set
    current_streak = added.current_streak, streak_last_day = added.streak_last_day,
    achievements_unlocked = added.achievements_unlocked, leaderboard_opt_out = added.leaderboard_opt_out
  from added_profiles added
  where e.user_id = added.user_id;
  return null;
end
$$;
comment on function private.trigger_mirror_inserted_xp_profiles() is
  'xp_profiles: an XP profile inserted under existing leaderboard entries (a snapshot restore) is mirrored into '
  'them (streaks, achievements, opt-out; XP comes from organization_xp), once per statement.';

-- ---------------------------------------------------------------- the award path
create or replace function private.apply_xp_change(
  user_id uuid, delta integer, reason text, category text, idempotency_key text,
  organization_id uuid, source_table text, source_id text, at timestamptz,
  correct_answers integer, fast_answers integer, lessons_completed integer, perfect_scores integer,
  criteria text[]
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  learner uuid := apply_xp_change.user_id;
  moment timestamptz := coalesce(apply_xp_change.at, now());
  stats public.xp_profiles;
  zone text;
  day date;
  day_started timestamptz;
  week date;
  earned integer := greatest(apply_xp_change.delta, 0);
  entry public.xp_transactions;
  learning_today integer;
  earned_in uuid;
begin
  if apply_xp_change.delta is null or apply_xp_change.delta = 0 or abs(apply_xp_change.delta) > 100000 then
    raise exception using errcode = '22023',
      message = format('XP delta must be a non-zero whole number between -100000 and 100000, not %s',
                       coalesce(apply_xp_change.delta::text, 'null'));
  end if;
  if apply_xp_change.category is null
     or apply_xp_change.category not in ('learning', 'hint', 'achievement', 'streak', 'bonus', 'challenge') then
    raise exception using errcode = '22023', message = format('unknown XP category %L', apply_xp_change.category),
      hint = 'Use learning, hint, achievement, streak, bonus or challenge.';
  end if;
  if apply_xp_change.idempotency_key is null or char_length(apply_xp_change.idempotency_key) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'an idempotency key of 1 to 200 characters is required';
  end if;
  if apply_xp_change.reason is null or char_length(btrim(apply_xp_change.reason)) not between 1 and 200 then
    raise exception using errcode = '22023', message = 'a reason of 1 to 200 characters is required';
  end if;

  select * into stats from public.xp_profiles where user_id = learner for update;
  if not found then
    raise exception using errcode = 'P0002', message = format('no learner %s', learner);
  end if;
  select * into entry from public.xp_transactions t
  where t.user_id = learner and t.idempotency_key = apply_xp_change.idempotency_key;
  if found then
    return private.xp_result(entry, true);
  end if;
  if stats.xp + apply_xp_change.delta < 0 then
    raise exception using errcode = '23514',
      message = format('not enough XP for %s: balance %s, needs %s', apply_xp_change.reason, stats.xp,
                       -apply_xp_change.delta);
  end if;

  -- The organization the XP is earned in: the award's, else (platform bonuses: streak milestones,
  -- platform-wide achievements) the learner's home organization, whose rules paid it.
  earned_in := coalesce(apply_xp_change.organization_id, private.home_organization(learner));
  zone := coalesce((select time_zone from public.profiles where id = learner), 'UTC');
  select d.day, d.started_at into day, day_started
  from private.learner_day(zone, stats.today, stats.today_started_at, moment) d;
  week := day - (extract(isodow from day)::integer - 1);

  update public.xp_profiles set
    xp = xp + apply_xp_change.delta,
    lifetime_xp = lifetime_xp + earned,
    today_xp = case when today is null or day > today then earned when day = today then today_xp + earned
                    else today_xp end,
    today_started_at = case when today is null or day > today then day_started
                            else coalesce(today_started_at, day_started) end,
    today = greatest(coalesce(today, day), day),
    week_xp = case when week_start is null or week > week_start then earned when week = week_start then week_xp + earned
                   else week_xp end,
    week_start = greatest(coalesce(week_start, week), week),
    last_award_at = moment,
    correct_answers = correct_answers + apply_xp_change.correct_answers,
    fast_answers = fast_answers + apply_xp_change.fast_answers,
    lessons_completed = lessons_completed + apply_xp_change.lessons_completed,
    perfect_scores = perfect_scores + apply_xp_change.perfect_scores
  where user_id = learner
  returning * into stats;

  insert into public.xp_transactions (user_id, organization_id, kind, category, amount, reason, balance_after,
    lifetime_xp_after, level_after, local_day, source_table, source_id, idempotency_key, created_at)
  values (learner, earned_in, case when apply_xp_change.delta > 0 then 'earned' else 'spent' end,
    apply_xp_change.category, abs(apply_xp_change.delta), btrim(apply_xp_change.reason), stats.xp, stats.lifetime_xp,
    stats.level, day, apply_xp_change.source_table, apply_xp_change.source_id, apply_xp_change.idempotency_key, moment)
  returning * into entry;

  -- The organization's own count of this learner's XP: its boards, leagues and staff read it.
  if earned > 0 and earned_in is not null then
    insert into public.organization_xp as o (user_id, organization_id, lifetime_xp, today, today_xp, week_start,
      week_xp, updated_at)
    select learner, earned_in, earned, day, earned, week, earned, moment
    where exists (select from public.organizations where id = earned_in)
    on conflict (user_id, organization_id) do update set
      lifetime_xp = o.lifetime_xp + excluded.lifetime_xp,
      today_xp = case when o.today is null or excluded.today > o.today then excluded.today_xp
                      when excluded.today = o.today then o.today_xp + excluded.today_xp else o.today_xp end,
      today = greatest(coalesce(o.today, excluded.today), excluded.today),
      week_xp = case when o.week_start is null or excluded.week_start > o.week_start then excluded.week_xp
                     when excluded.week_start = o.week_start then o.week_xp + excluded.week_xp else o.week_xp end,
      week_start = greatest(coalesce(o.week_start, excluded.week_start), excluded.week_start),
      updated_at = excluded.updated_at;
  end if;

  insert into public.xp_activity_days as d (user_id, local_day, time_zone, earned_xp, learning_xp, spent_xp,
    first_activity_at, correct_answers, fast_answers, lessons_completed, perfect_scores)
  values (learner, day, zone, earned, case when apply_xp_change.category = 'learning' then earned else 0 end,
    greatest(-apply_xp_change.delta, 0),
    case when apply_xp_change.category = 'learning' and earned > 0 then moment end,
    apply_xp_change.correct_answers, apply_xp_change.fast_answers, apply_xp_change.lessons_completed,
    apply_xp_change.perfect_scores)
  on conflict (user_id, local_day) do update set
    earned_xp = d.earned_xp + excluded.earned_xp,
    learning_xp = d.learning_xp + excluded.learning_xp,
    spent_xp = d.spent_xp + excluded.spent_xp,
    first_activity_at = coalesce(d.first_activity_at, excluded.first_activity_at),
    correct_answers = d.correct_answers + excluded.correct_answers,
    fast_answers = d.fast_answers + excluded.fast_answers,
    lessons_completed = d.lessons_completed + excluded.lessons_completed,
    perfect_scores = d.perfect_scores + excluded.perfect_scores
  returning learning_xp into learning_today;

  insert into public.analytics_events (user_id, organization_id, event_type, event_data)
  values (learner, earned_in, 'xp.' || entry.kind, jsonb_build_object(
    'transaction_id', entry.id, 'category', entry.category, 'amount', entry.amount, 'reason', entry.reason,
    'balance', entry.balance_after, 'level', entry.level_after, 'local_day', day));

  if apply_xp_change.category = 'learning' and earned > 0 and learning_today = earned then
    perform private.record_activity_day(learner, day, moment);
  end if;
  if earned > 0 then
    perform private.evaluate_achievements(learner, array['xp_total'] || coalesce(apply_xp_change.criteria, '{}'),
                                          moment);
  elsif cardinality(apply_xp_change.criteria) > 0 then
    perform private.evaluate_achievements(learner, apply_xp_change.criteria, moment);
  end if;
  if apply_xp_change.category = 'learning' and earned > 0 then
    perform private.evaluate_challenges(learner, day, moment);
  end if;
  return private.xp_result(entry, false);
end
$$;
-- Rebuilds learners' organization_xp from the ledger (e.g. after a snapshot restore inserted ledger rows).
create function private.rebuild_organization_xp(learners uuid[]) returns bigint
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
  'Recomputes the learners'' organization_xp (and their board entries) from the ledger; XP with no organization '
  'goes to their home organization. For restores and repairs.';

select private.rebuild_organization_xp(array(select x.user_id from public.xp_profiles as x));

-- ---------------------------------------------------------------- leagues
create function private.organization_weekly_xp(learner uuid, organization uuid, week_start date) returns integer
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  -- created_at bounds the ledger range read through (user_id, created_at): a local day lies within a
  -- couple of days of the UTC date whatever the time zone (and its 24-hour rule).
  return (
    select coalesce(sum(t.amount), 0)::integer from public.xp_transactions t
    where t.user_id = learner and t.organization_id = organization and t.kind = 'earned'
      and t.local_day between organization_weekly_xp.week_start and organization_weekly_xp.week_start + 6
      and t.created_at >= (organization_weekly_xp.week_start - 3)::timestamp at time zone 'UTC'
      and t.created_at < (organization_weekly_xp.week_start + 11)::timestamp at time zone 'UTC');
end
$$;
comment on function private.organization_weekly_xp(uuid, uuid, date) is
  'XP a learner earned in one organization on the local days of a week (what its league ranks).';

create or replace function private.close_league_week_v1(organization_id uuid, week_start date) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  org uuid := close_league_week_v1.organization_id;
  week date := close_league_week_v1.week_start;
  rules public.gamification_settings := private.gamification_rules(org);
  closed integer;
  promoted integer;
  demoted integer;
  next_placed integer;
begin
  if org is null or week is null or extract(isodow from week) <> 1 then
    raise exception using errcode = '22023', message = 'close_league_week_v1 needs an organization and a Monday';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('league:' || org::text || ':' || week::text, 0));

  with standings as (
    select m.group_id, m.user_id, private.organization_weekly_xp(m.user_id, org, week) as xp
    from public.league_members m
    join public.league_groups g on g.id = m.group_id
    where g.organization_id = org and g.week_start = week and g.closed_at is null
  ), ranked as (
    select s.*, row_number() over (partition by s.group_id order by s.xp desc, s.user_id) as place,
           count(*) over (partition by s.group_id) as group_size
    from standings s
  )
  update public.league_members m set
    final_xp = r.xp, final_rank = r.place,
    outcome = case
      when r.place <= rules.league_promote_count and r.xp > 0 and m.tier <> 'diamond' then 'promoted'
      when r.place > r.group_size - rules.league_demote_count and r.place > rules.league_promote_count
           and m.tier <> 'bronze' then 'demoted'
      else 'stayed' end
  from ranked r
  where m.group_id = r.group_id and m.user_id = r.user_id;

  update public.league_groups set closed_at = now()
  where organization_id = org and week_start = week and closed_at is null;
  get diagnostics closed = row_count;

  select count(*) filter (where outcome = 'promoted'), count(*) filter (where outcome = 'demoted')
  into promoted, demoted
  from public.league_members where organization_id = org and week_start = week;

  next_placed := private.form_league_week_v1(org, week + 7);
  return jsonb_build_object('organization_id', org, 'week_start', week, 'groups_closed', closed,
    'promoted', promoted, 'demoted', demoted, 'next_week_start', week + 7, 'next_week_members', next_placed);
end
$$;

create or replace function private.my_league(organization uuid) returns table (
  rank bigint, nickname text, avatar_url text, weekly_xp integer, tier public.league_tier, zone text, is_me boolean
)
language sql stable
security definer
set search_path = ''
as $$
  with mine as (
    select m.group_id, m.week_start, m.tier from public.league_members m
    where m.user_id = (select auth.uid()) and m.organization_id = organization
    order by m.week_start desc limit 1
  ), standings as (
    select m.user_id, private.organization_weekly_xp(m.user_id, organization, mine.week_start) as xp, mine.tier
    from public.league_members m join mine on mine.group_id = m.group_id
  ), ranked as (
    select s.*, rank() over (order by s.xp desc) as place, row_number() over (order by s.xp desc, s.user_id) as seat,
           count(*) over () as group_size
    from standings s
  )
  select r.place,
    case when x.leaderboard_opt_out and r.user_id <> (select auth.uid()) then 'Anonymous learner' else p.nickname end,
    case when x.leaderboard_opt_out and r.user_id <> (select auth.uid()) then null else p.avatar_url end,
    r.xp, r.tier,
    case when r.seat <= rules.league_promote_count then 'promotion'
         when r.seat > r.group_size - rules.league_demote_count then 'demotion' end,
    r.user_id = (select auth.uid())
  from ranked r
  join public.profiles p on p.id = r.user_id
  join public.xp_profiles x on x.user_id = r.user_id
  cross join lateral (select (private.gamification_rules(organization)).*) rules
  order by r.seat
$$;

revoke execute on function
  private.trigger_mirror_organization_xp(),
  private.rebuild_organization_xp(uuid[]),
  private.organization_weekly_xp(uuid, uuid, date)
  from public;
grant execute on function private.rebuild_organization_xp(uuid[]), private.organization_weekly_xp(uuid, uuid, date)
  to service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/organization_xp.sql
-- Policies of public.organization_xp: a learner reads their own, guardians
-- their children's, staff the rows of the organizations they staff for their
-- current students there. Written only by private.apply_xp_change.

create policy "Learners, guardians and the organization's staff can read its XP"
  on public.organization_xp for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pairs.organization_id, pairs.learner_id
                                      from private.staff_learner_pairs() as pairs));
