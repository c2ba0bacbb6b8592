-- Policies of public.hint_uses: read by the learner, their guardians and the
-- staff of the question's organization (while the learner is a student there);
-- written only by use_hint().

create policy "Learners, guardians and the question's staff can read hint uses"
  on public.hint_uses for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or ((select question.organization_id from public.questions as question
         where question.id = hint_uses.question_id),
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));
