-- Policies of public.media_assets: owners manage their uploads (a learner's
-- recordings are their activity: guardians and the staff of their organization
-- read them); published media of an organization is readable by its members,
-- global published media by everyone signed in; staff manage their
-- organization's media.

create policy "Owners can read their own media"
  on public.media_assets for select to authenticated
  using (owner_id = (select auth.uid()));

create policy "Signed-in users can read published media"
  on public.media_assets for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Guardians can read their students' media"
  on public.media_assets for select to authenticated
  using (owner_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' media"
  on public.media_assets for select to authenticated
  using (owner_id in (select private.staff_student_ids()));

create policy "Staff can read their organization's media"
  on public.media_assets for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Users can register their own uploads"
  on public.media_assets for insert to authenticated
  with check (
    owner_id = (select auth.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Owners can update their own unpublished media"
  on public.media_assets for update to authenticated
  using (owner_id = (select auth.uid()) and not is_published)
  with check (owner_id = (select auth.uid()) and not is_published);

create policy "Staff can update their organization's media"
  on public.media_assets for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Owners can delete their own media"
  on public.media_assets for delete to authenticated
  using (owner_id = (select auth.uid()));

create policy "Staff can delete their organization's media"
  on public.media_assets for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
