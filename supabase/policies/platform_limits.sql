-- Policies of public.platform_limits: every signed-in user reads the limits
-- (an admin's settings screen shows them); only service_role changes them
-- (no write privileges for authenticated).

create policy "Signed-in users can read the platform limits"
  on public.platform_limits for select to authenticated
  using (true);
