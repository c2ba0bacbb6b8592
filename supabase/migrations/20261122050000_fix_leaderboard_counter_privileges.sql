-- fix leaderboard counter privileges
--
-- private.trigger_count_leaderboard_xp() ran with the caller's rights, so
-- deleting a profile or an organization as service_role (the GDPR path and
-- the admin path) failed in the cascade to private.leaderboard_entries with
-- "permission denied for table leaderboard_xp_counts". The counters are server
-- bookkeeping: the trigger now runs as its owner. It also no longer writes a
-- counter for an organization that is being deleted in the same statement
-- (that failed with 23503; the organization's counters go with it).
-- Both found by the policy matrix.

create or replace function private.trigger_count_leaderboard_xp() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.leaderboard_xp_counts as counts (organization_id, level, bucket, members)
  select change.organization_id, change.level, change.bucket, sum(change.members)
  from (
    select old.organization_id, l::smallint as level, old.lifetime_xp >> (6 * l) as bucket, -1 as members
    from generate_series(0, 3) l where tg_op <> 'INSERT'
    union all
    select new.organization_id, l::smallint, new.lifetime_xp >> (6 * l), 1
    from generate_series(0, 3) l where tg_op <> 'DELETE'
  ) change
  where exists (select from public.organizations o where o.id = change.organization_id)
  group by change.organization_id, change.level, change.bucket
  having sum(change.members) <> 0
  order by change.organization_id, change.level, change.bucket
  on conflict (organization_id, level, bucket) do update set members = counts.members + excluded.members;
  return null;
end
$$;
