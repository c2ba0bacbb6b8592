-- Policies of public.profiles: yourself, your guardians and students, and the
-- people of your organizations as their roles allow. Rows are created by the
-- sign-up trigger and deleted with the auth user, so no insert/delete policy.

create policy "Users can read their own and their linked people's profiles"
  on public.profiles for select to authenticated
  using (
    id = (select private.uid())
    or id in (select private.linked_profile_ids()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (id = (select private.uid()))
  with check (id = (select private.uid()));
