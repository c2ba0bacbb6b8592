-- Policies of public.error_logs: a signed-in client reports its own errors
-- and reads them back; everything else is service_role's.

create policy "Users can read the errors they reported"
  on public.error_logs for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can report their own errors"
  on public.error_logs for insert to authenticated
  with check (user_id = (select private.uid()));
