-- Policies of public.learning_sessions: a learner starts and updates their own
-- sessions; guardians read them, and staff of the session's organization (its
-- course's, else its lesson's, else its concept's) while the learner is a
-- student there. Scores, counters and ended_at are server-owned (column
-- privileges and a trigger).

create policy "Learners, guardians and staff can read learning sessions"
  on public.learning_sessions for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when learning_sessions.course_id is not null
            then private.course_organization_id(learning_sessions.course_id)
          when learning_sessions.lesson_id is not null
            then private.lesson_organization_id(learning_sessions.lesson_id)
          else private.concept_organization_id(learning_sessions.concept_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start their own learning sessions"
  on public.learning_sessions for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning sessions"
  on public.learning_sessions for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
