-- Policies of public.assessments: a learner answers and submits their own
-- assessments; evaluation is the server's. Guardians read, and staff of the
-- concept's organization while the learner is a student there.

create policy "Learners, guardians and staff can read assessments"
  on public.assessments for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(assessments.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start their own assessments"
  on public.assessments for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can answer their own open assessments"
  on public.assessments for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
