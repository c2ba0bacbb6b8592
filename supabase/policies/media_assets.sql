-- Policies of public.media_assets: owners manage their uploads (a learner's
-- recordings are their activity: guardians read them); an upload registered
-- to an organization is that organization's: its staff read and manage it
-- (an upload of no organization is the owner's and their guardians');
-- published media of an organization is readable by its members, global
-- published media by everyone signed in.

create policy "Users can read published, own and supervised media"
  on public.media_assets for select to authenticated
  using (
    (is_published and organization_id is null)
    or owner_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or owner_id in (select private.guardian_student_ids())
    or organization_id in (select private.staff_org_ids()));

create policy "Users can register their own uploads"
  on public.media_assets for insert to authenticated
  with check (
    owner_id = (select private.uid())
    and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Owners can update unpublished media, staff their organization's"
  on public.media_assets for update to authenticated
  using (
    (owner_id = (select private.uid()) and not is_published)
    or organization_id in (select private.staff_org_ids()))
  with check (
    (owner_id = (select private.uid()) and not is_published)
    or organization_id in (select private.staff_org_ids()));

create policy "Owners and the organization's staff can delete media"
  on public.media_assets for delete to authenticated
  using (
    owner_id = (select private.uid())
    or organization_id in (select private.staff_org_ids()));
