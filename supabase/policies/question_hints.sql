-- Policies of public.question_hints: only the staff of the question's
-- organization read and write its hint. There is deliberately no policy a
-- student, guardian or anonymous user can match (they pay for hints through
-- public.use_hint()); global questions' hints are service_role's.

create policy "Staff can read hints of their organization's questions"
  on public.question_hints for select to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can add hints to their organization's questions"
  on public.question_hints for insert to authenticated
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can update hints of their organization's questions"
  on public.question_hints for update to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete hints of their organization's questions"
  on public.question_hints for delete to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));
