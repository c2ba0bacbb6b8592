-- enable rls on private lookups
--
-- Two tables of the private schema had no row level security: the time zone
-- lookup signed-in users read (through profile validation) and the queue of
-- Storage objects to purge after an account deletion. private is not exposed
-- by the API, but every table gets RLS (style.md), so a future grant or an
-- exposed schema cannot open them by accident. Time zone names stay readable by
-- every signed-in user; the purge queue stays service_role's (it bypasses RLS)
-- and learnkit's own definer functions' (the owner is exempt).

alter table private.time_zone_names enable row level security;
-- supabase/policies/time_zone_names.sql
create policy "Signed-in users can read time zone names"
  on private.time_zone_names for select to authenticated
  using (true);

alter table private.storage_purge_queue enable row level security;
