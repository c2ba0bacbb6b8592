-- create leagues
--
-- Weekly leagues (Duolingo's, beyond the blueprints): each week the students
-- of an organization are put in groups of about league_group_size (30) of the
-- same tier; at the week's end the top league_promote_count (5) move up a tier
-- and the bottom league_demote_count (5) down, by private.close_league_week_v1,
-- which the weekly worker calls (versioned: a new signature gets _v2). Weekly
-- XP is the learner's XP earned on the local days of that Monday–Sunday week.

-- ---------------------------------------------------------------- types
create type public.league_tier as enum (
  'bronze', 'silver', 'gold', 'sapphire', 'ruby', 'emerald', 'amethyst', 'pearl', 'obsidian', 'diamond'
);

-- ---------------------------------------------------------------- league_groups
create table public.league_groups (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  week_start date not null check (extract(isodow from week_start) = 1),
  tier public.league_tier not null,
  closed_at timestamptz,
  created_at timestamptz not null default now()
);
create index league_groups_organization_week_idx on public.league_groups (organization_id, week_start);

alter table public.league_groups enable row level security;
comment on table public.league_groups is
  'A league group: about 30 students of one organization and tier competing for one week (Monday start). '
  'Server-owned: formed and closed by private.close_league_week_v1.';

revoke all on table public.league_groups from anon, authenticated;
grant select on table public.league_groups to authenticated;
grant all on table public.league_groups to service_role;

-- ---------------------------------------------------------------- league_members
create table public.league_members (
  group_id uuid not null references public.league_groups (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  week_start date not null,
  tier public.league_tier not null,
  final_xp integer,
  final_rank integer,
  outcome text check (outcome in ('promoted', 'stayed', 'demoted')),
  primary key (group_id, user_id),
  constraint league_members_one_group_a_week unique (organization_id, week_start, user_id)
);
create index league_members_user_id_idx on public.league_members (user_id, week_start desc);

alter table public.league_members enable row level security;
comment on table public.league_members is
  'A student''s place in a weekly league group, and at the week''s close their XP, rank and outcome. Server-owned.';

revoke all on table public.league_members from anon, authenticated;
grant select on table public.league_members to authenticated;
grant all on table public.league_members to service_role;

-- ---------------------------------------------------------------- helpers
create function private.my_league_group_ids() returns setof uuid
language sql stable
security definer
set search_path = ''
as $$
  select group_id from public.league_members where user_id = (select auth.uid())
$$;
comment on function private.my_league_group_ids() is 'League groups the current user is in.';

create function private.weekly_xp(learner uuid, week_start date) returns integer
language sql stable
security definer
set search_path = ''
as $$
  select coalesce(sum(earned_xp), 0)::integer from public.xp_activity_days
  where user_id = learner and local_day between week_start and week_start + 6
$$;
comment on function private.weekly_xp(uuid, date) is 'XP a learner earned on the local days of a week.';

-- ---------------------------------------------------------------- forming groups
-- Idempotent: a week already formed is left alone. Students are dealt round-robin
-- into ceil(n / size) groups per tier, shuffled by a hash of user and week.
create function private.form_league_week_v1(organization_id uuid, week_start date) returns integer
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  org uuid := form_league_week_v1.organization_id;
  week date := form_league_week_v1.week_start;
  size integer := (private.gamification_rules(org)).league_group_size;
  formed integer;
begin
  if extract(isodow from week) <> 1 then
    raise exception using errcode = '22023', message = format('week_start %s is not a Monday', week);
  end if;
  if exists (select from public.league_groups where organization_id = org and week_start = week) then
    return 0;
  end if;
  create temporary table if not exists league_seating (
    user_id uuid, tier public.league_tier, seat integer, group_count integer) on commit drop;
  truncate league_seating;
  insert into league_seating (user_id, tier, seat, group_count)
  select placed.user_id, placed.tier,
         row_number() over (partition by placed.tier order by md5(placed.user_id::text || week::text)) - 1,
         ceil(count(*) over (partition by placed.tier)::numeric / size)::integer
  from (
    select m.user_id,
      coalesce((
        select case last.outcome
          when 'promoted' then (enum_range(last.tier, null))[least(2, cardinality(enum_range(last.tier, null)))]
          when 'demoted' then (enum_range(null, last.tier))[greatest(1, cardinality(enum_range(null, last.tier)) - 1)]
          else last.tier end
        from public.league_members last
        where last.user_id = m.user_id and last.organization_id = org and last.week_start < week
        order by last.week_start desc limit 1), 'bronze') as tier
    from public.organization_members m
    where m.organization_id = org and m.role = 'student'
  ) placed;
  with groups as (
    insert into public.league_groups (organization_id, week_start, tier)
    select org, week, seats.tier from league_seating seats, generate_series(1, seats.group_count) n
    where seats.seat = 0
    returning id, tier
  ), numbered as (
    select id, tier, row_number() over (partition by tier order by id) - 1 as group_index from groups
  )
  insert into public.league_members (group_id, user_id, organization_id, week_start, tier)
  select numbered.id, seats.user_id, org, week, seats.tier
  from league_seating seats
  join numbered on numbered.tier = seats.tier and numbered.group_index = seats.seat % seats.group_count;
  get diagnostics formed = row_count;
  return formed;
end
$$;
comment on function private.form_league_week_v1(uuid, date) is
  'Puts an organization''s students into league groups for a week by tier (idempotent). Returns members placed.';

-- ---------------------------------------------------------------- closing a week
create function private.close_league_week_v1(organization_id uuid, week_start date) returns jsonb
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
    select m.group_id, m.user_id, private.weekly_xp(m.user_id, week) as xp
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
comment on function private.close_league_week_v1(uuid, date) is
  'Worker API v1: closes an organization''s league week (final XP, rank, promoted/stayed/demoted) and forms the '
  'next week''s groups. Idempotent; run it after the week ended in every time zone (Monday 14:00 UTC or later).';

-- ---------------------------------------------------------------- my league
create function private.my_league(organization uuid) returns table (
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
    select m.user_id, private.weekly_xp(m.user_id, mine.week_start) as xp, mine.tier
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

create function public.get_my_league(organization_id uuid) returns table (
  rank bigint, nickname text, avatar_url text, weekly_xp integer, tier public.league_tier, zone text, is_me boolean
)
language sql stable
security invoker
set search_path = ''
as $$
  select * from private.my_league(organization_id)
$$;
comment on function public.get_my_league(uuid) is
  'Your current league group in an organization, ranked by this week''s XP, with promotion/demotion zones.';

revoke execute on all functions in schema private from public;
grant execute on function private.my_league_group_ids(), private.my_league(uuid) to authenticated, service_role;
grant execute on function private.close_league_week_v1(uuid, date), private.form_league_week_v1(uuid, date),
  private.weekly_xp(uuid, date)
  to service_role;
grant execute on function public.get_my_league(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------- policies
-- supabase/policies/league_groups.sql
-- Policies of public.league_groups: students read the groups they are in, staff
-- their organization's. Formed and closed only by close_league_week_v1.

create policy "Students can read their league groups"
  on public.league_groups for select to authenticated
  using (id in (select private.my_league_group_ids()));

create policy "Staff can read their organization's league groups"
  on public.league_groups for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/league_members.sql
-- Policies of public.league_members: students read their own placements (the
-- group's standings come from get_my_league, by nickname); guardians and staff
-- read their students'.

create policy "Users can read their own league placements"
  on public.league_members for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' league placements"
  on public.league_members for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their organization's league placements"
  on public.league_members for select to authenticated
  using (organization_id in (select private.staff_org_ids()));
