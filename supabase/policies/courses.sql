-- Policies of public.courses: published courses are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff,
-- who also write them. Authorship grants nothing: an author who is no longer staff of
-- the row's organization reads none of it. Global courses (no organization) are
-- written by service_role.

create policy "Users read published courses, staff their drafts"
  on public.courses for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create courses for their organization"
  on public.courses for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's courses"
  on public.courses for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's courses"
  on public.courses for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
