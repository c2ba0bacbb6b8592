-- Policies of public.question_answer_keys: only the staff of the question's
-- organization read and write its key. There is deliberately no policy a
-- student, guardian or anonymous user can match; global keys are service_role's.

create policy "Staff can read answer keys of their organization's questions"
  on public.question_answer_keys for select to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can add answer keys to their organization's questions"
  on public.question_answer_keys for insert to authenticated
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can update answer keys of their organization's questions"
  on public.question_answer_keys for update to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete answer keys of their organization's questions"
  on public.question_answer_keys for delete to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));
