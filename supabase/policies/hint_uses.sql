-- Policies of public.hint_uses: read by the learner, their guardians and their
-- organizations' staff; written only by use_hint().

create policy "Learners, guardians and staff can read hint uses"
  on public.hint_uses for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));
