-- Policies of public.concept_prerequisites: an edge is visible when both of its
-- concepts are (the concepts policies decide); the staff of the dependent
-- concept's organization write edges.

create policy "Users can read prerequisites between concepts they can read"
  on public.concept_prerequisites for select to authenticated
  using (
    exists (select from public.concepts where concepts.id = concept_prerequisites.concept_id)
    and exists (select from public.concepts where concepts.id = concept_prerequisites.prerequisite_id));

create policy "Staff can add prerequisites to their organization's concepts"
  on public.concept_prerequisites for insert to authenticated
  with check (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

create policy "Staff can update prerequisites of their organization's concepts"
  on public.concept_prerequisites for update to authenticated
  using (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())))
  with check (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete prerequisites of their organization's concepts"
  on public.concept_prerequisites for delete to authenticated
  using (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));
