-- Policies of public.remediation_paths: server-created remediation. The learner,
-- their guardians read it, and staff of the concept's organization while the
-- learner is a student there; only service_role writes.

create policy "Learners, guardians and staff can read remediation paths"
  on public.remediation_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.concept_organization_id(remediation_paths.concept_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
