-- Policies of public.content_chunks, as public.concepts': published chunks are readable by signed-in users (an
-- organization's only by its members); drafts only by the organization's current staff, who also write them.
-- Platform chunks (no organization) are written by service_role. The table exists only where pgvector does
-- (supabase/schemas/12_retrieval.sql), so its policies are declared inside the same guard.

do $policies$
begin
  if to_regclass('public.content_chunks') is null then
    return;
  end if;

  create policy "Users read published content chunks, staff their drafts"
    on public.content_chunks for select to authenticated
    using (
      (is_published and organization_id is null)
      or (is_published and organization_id in (select private.member_org_ids()))
      or organization_id in (select private.staff_org_ids()));

  create policy "Staff can create content chunks for their organization"
    on public.content_chunks for insert to authenticated
    with check (organization_id in (select private.staff_org_ids()) and author_id = (select private.uid()));

  create policy "Staff can update their organization's content chunks"
    on public.content_chunks for update to authenticated
    using (organization_id in (select private.staff_org_ids()))
    with check (organization_id in (select private.staff_org_ids()));

  create policy "Staff can delete their organization's content chunks"
    on public.content_chunks for delete to authenticated
    using (organization_id in (select private.staff_org_ids()));
end
$policies$;
