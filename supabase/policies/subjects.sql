-- Policies of public.subjects: the global taxonomy, readable by every signed-in
-- user; only service_role writes it.

create policy "Signed-in users can read subjects"
  on public.subjects for select to authenticated
  using (true);
