-- Policies of public.organization_xp: a learner reads their own, guardians
-- their children's, staff the rows of the organizations they staff for their
-- current students there. Written only by private.apply_xp_change.

create policy "Learners, guardians and their staff can read organization XP"
  on public.organization_xp for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pairs.organization_id, pairs.learner_id
                                      from private.staff_learner_pairs() as pairs));
