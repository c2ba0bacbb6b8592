-- Policies of public.lessons: published lessons are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global lessons (no organization) are
-- written by service_role.

create policy "Users read published lessons, staff their drafts"
  on public.lessons for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create lessons for their organization"
  on public.lessons for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's lessons"
  on public.lessons for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's lessons"
  on public.lessons for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
