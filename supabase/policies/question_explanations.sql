-- Policies of public.question_explanations: the staff of the question's organization
-- read and write its explanation; a learner reads it only once they answered the
-- question, and only while they may read the question (its own policies:
-- leaving the organization or a withdrawal to draft ends it). Global
-- questions' explanations are service_role's to write.

create policy "Learners who answered and staff can read explanations"
  on public.question_explanations for select to authenticated
  using (
    question_id in (
      select a.question_id
      from public.answer_attempts as a
      inner join public.questions as q on a.question_id = q.id
      where a.user_id = (select private.uid()))
    or question_id in (
      select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can add explanations to their organization's questions"
  on public.question_explanations for insert to authenticated
  with check (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can update explanations of their organization's questions"
  on public.question_explanations for update to authenticated
  using (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can delete explanations of their organization's questions"
  on public.question_explanations for delete to authenticated
  using (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));
