-- cache leaderboard wrapper plans
--
-- public.get_leaderboard and public.get_leaderboard_around_me were
-- `language sql` with `set search_path`, which PostgreSQL never inlines: each
-- call parsed and planned `select * from private.…` again, about 0.1 ms of a
-- 1 ms request at 1M students (bench/leaderboard.py). As plpgsql the plan is
-- cached per connection. Same signatures, defaults, results, volatility,
-- security (invoker: the checks are in the private functions), comments and
-- grants.

create or replace function public.get_leaderboard(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, top_n integer default 10
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  return query select * from private.leaderboard_top(organization_id, metric, period, scope, scope_id, top_n);
end
$$;

create or replace function public.get_leaderboard_around_me(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, neighbours integer default 5
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  return query
  select * from private.leaderboard_around_me(organization_id, metric, period, scope, scope_id, neighbours);
end
$$;
