-- cache leaderboard plans
--
-- Every leaderboard request called three `language sql` helpers with
-- `set search_path` (the membership check, the rank from the count tree and
-- the names), which PostgreSQL never inlines: each call parsed and planned its
-- body again, about a third of a request at 1M students (bench/leaderboard.py).
-- As plpgsql their plans are cached per connection. Same signatures, results,
-- volatility, security and grants.

create or replace function private.is_org_member(org_id uuid) returns boolean
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()));
end
$$;

create or replace function private.xp_rank(org uuid, score bigint) returns bigint
language plpgsql stable
set search_path = ''
as $$
begin
  return 1
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 3 and bucket > score >> 18), 0)
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 2
                  and bucket > score >> 12 and bucket < ((score >> 18) + 1) << 6), 0)
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 1
                  and bucket > score >> 6 and bucket < ((score >> 12) + 1) << 6), 0)
    + coalesce((select sum(members) from private.leaderboard_xp_counts
                where organization_id = org and level = 0
                  and bucket > score and bucket < ((score >> 6) + 1) << 6), 0);
end
$$;

create or replace function private.leaderboard_names(ranked jsonb)
returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return query
  select (r ->> 'rank')::bigint,
         case when x.leaderboard_opt_out and p.id <> (select auth.uid()) then 'Anonymous learner' else p.nickname end,
         case when x.leaderboard_opt_out and p.id <> (select auth.uid()) then null else p.avatar_url end,
         (r ->> 'score')::bigint,
         p.id = (select auth.uid())
  from jsonb_array_elements(ranked) with ordinality as rows (r, position)
  join public.profiles p on p.id = (r ->> 'user_id')::uuid
  join public.xp_profiles x on x.user_id = p.id
  order by position;
end
$$;
