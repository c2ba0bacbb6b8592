-- Policies of public.textbooks: published textbooks are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global textbooks (no organization)
-- are written by service_role.

create policy "Users can read published textbooks, authors and staff drafts"
  on public.textbooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select private.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can create textbooks for their organization"
  on public.textbooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

create policy "Staff can update their organization's textbooks"
  on public.textbooks for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's textbooks"
  on public.textbooks for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
