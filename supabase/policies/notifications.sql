-- Policies of public.notifications: each user reads, marks read and deletes
-- their own notifications; the server creates them.

create policy "Users can read their own notifications"
  on public.notifications for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can mark their own notifications read"
  on public.notifications for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));

create policy "Users can delete their own notifications"
  on public.notifications for delete to authenticated
  using (user_id = (select private.uid()));
