-- Policies of public.remediation_paths: server-created remediation. The learner,
-- their guardians and staff read it; only service_role writes.

create policy "Learners, guardians and staff can read remediation paths"
  on public.remediation_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
