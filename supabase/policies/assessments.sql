-- Policies of public.assessments: a learner answers and submits their own
-- assessments; evaluation is the server's. Guardians and staff read.

create policy "Learners, guardians and staff can read assessments"
  on public.assessments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can start their own assessments"
  on public.assessments for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can answer their own open assessments"
  on public.assessments for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
