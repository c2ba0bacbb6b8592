-- create league week closing
--
-- private.close_due_league_weeks(now): what the close-league-weeks worker runs.
-- Closes, through issue 4's versioned private.close_league_week_v1, every
-- organization's league week that has ended in every time zone (Monday 14:00
-- UTC after the week, as that function's contract asks) and is still open.
-- close_league_week_v1 is idempotent and forms the next week, so reruns converge.

create function private.close_due_league_weeks(clock timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  due record;
  closed bigint := 0;
begin
  for due in
    select distinct g.organization_id, g.week_start
    from public.league_groups g
    where g.closed_at is null
      and ((g.week_start + 7)::timestamp at time zone 'UTC') + interval '14 hours' <= clock
    order by g.week_start, g.organization_id
  loop
    perform private.close_league_week_v1(due.organization_id, due.week_start);
    closed := closed + 1;
  end loop;
  return closed;
end
$$;
comment on function private.close_due_league_weeks(timestamptz) is
  'Closes every open league week that ended everywhere before `clock` (close_league_week_v1 per organization '
  'and week); returns how many organization-weeks it closed.';
revoke execute on function private.close_due_league_weeks(timestamptz) from public;
