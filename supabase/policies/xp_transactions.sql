-- Policies of public.xp_transactions: the learner, their guardians and their
-- organizations' staff read the ledger. There is no insert, update or delete
-- policy: only private.increment_xp (security definer) writes it.

create policy "Learners, guardians and staff can read XP transactions"
  on public.xp_transactions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
