-- Policies of public.xp_transactions: the learner and their guardians read the
-- ledger; staff read the rows earned in the organization they staff, while the
-- learner is a student there. There is no insert, update or delete
-- policy: only private.increment_xp (security definer) writes it.

create policy "Learners, guardians and their staff can read XP transactions"
  on public.xp_transactions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (organization_id, user_id) in (select pair.organization_id, pair.learner_id
                                      from private.staff_learner_pairs() as pair));
