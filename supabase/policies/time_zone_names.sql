-- Policies of private.time_zone_names: the IANA names a profile's time zone is
-- checked against; any signed-in user may read them.

create policy "Signed-in users can read time zone names"
  on private.time_zone_names for select to authenticated
  using (true);
