-- read explanations of readable questions
--
-- A learner read a question's explanation once they had an attempt at it, even
-- after they lost the question itself: removed from its organization (leaving
-- ends every access a membership gave), or the question withdrawn to draft
-- (drafts are for current staff), where they kept reading every later edit of
-- the explanation. The learner's arm now also needs the question to be
-- readable to them: the attempt is joined to public.questions, whose own
-- policies decide. Staff's arm is unchanged. Not destructive.

drop policy "Learners who answered and staff can read explanations" on public.question_explanations;

create policy "Learners who answered a question they read and staff can read explanations"
on public.question_explanations for select to authenticated
using (
  question_id in (
    select a.question_id
    from public.answer_attempts as a
    inner join public.questions as q on a.question_id = q.id
    where a.user_id = (select private.uid())
  )
  or question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())
  )
);
