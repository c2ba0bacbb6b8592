-- bound leaderboard scope and award updates
--
-- Two follow-ups of the bounded-input migration (20261202140000):
-- * get_leaderboard() and get_leaderboard_around_me() accepted a scope_id of any size
--   (with scope 'organization' it is not read, so a megabyte of it was taken and
--   dropped). They now check it first: at most 100 characters, else 22001 naming it.
-- * answer_attempts_bound_input fired on every update of an attempt, and since the
--   award runs after the insert (20261202130100) every answer updates its attempt once
--   (xp_awarded, award_rule, measured_response_ms): the bound check ran twice per
--   answer. It now fires on insert and on updates of the columns it bounds, the only
--   ones whose size an update can change.
-- Not destructive.

-- ---------------------------------------------------------------- answer attempts
drop trigger answer_attempts_bound_input on public.answer_attempts;
create trigger answer_attempts_bound_input
before insert or update of answer, idempotency_key, raw_input on public.answer_attempts
for each row execute function private.trigger_bound_input(
  'answer:16384:json', 'idempotency_key:200', 'raw_input:10000'
);

-- ---------------------------------------------------------------- leaderboards
create or replace function public.get_leaderboard(
  organization_id uuid, metric text default 'xp', period text default 'all_time', scope text default 'organization',
  scope_id text default null, top_n integer default 10
) returns table (rank bigint, nickname text, avatar_url text, score bigint, is_me boolean)
language plpgsql stable
security invoker
set search_path = ''
as $$
begin
  perform private.check_argument_length('scope_id', scope_id, 100);
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
  perform private.check_argument_length('scope_id', scope_id, 100);
  return query
  select * from private.leaderboard_around_me(organization_id, metric, period, scope, scope_id, neighbours);
end
$$;
