-- Policies of public.user_settings: a user's own preferences, nobody else's.

create policy "Users can read their own settings"
  on public.user_settings for select to authenticated
  using (user_id = (select private.uid()));

create policy "Users can update their own settings"
  on public.user_settings for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
