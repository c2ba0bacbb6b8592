-- combine activity read policies
--
-- learning_sessions, answer_attempts, question_progress, chat_sessions and
-- chat_messages each had three permissive select policies for authenticated:
-- the learner's own rows, their guardians', their organization's staff's.
-- PostgreSQL ORs permissive policies in reverse order of their names, so
-- "Staff can read their students' …" was tested before "Guardians can read
-- their students' …": a guardian reading a child's activity paid for
-- private.staff_student_ids() on every table before their own helper ran
-- (bench/rls_overhead.py, the guardian's child overview).
--
-- Each table now has one select policy in the order of who reads most: the
-- learner (auth.uid() alone, no helper), then guardians, then staff, whose
-- helper runs only when the first two did not match. The expression is
-- exactly the OR of the three old ones, so who can read what is unchanged;
-- the policy matrix checks it.
--
-- Measured (bench/rls_overhead.py, scale 0.01, median of 3 runs, with
-- 20261122040000 and 040200): guardian's child overview 1.90× → 1.67× (every
-- call planned) and 2.52× → 1.97× (plans cached). Scale 1 figures in
-- docs/performance.md.

-- ---------------------------------------------------------------- learning_sessions
drop policy "Students can read their own learning sessions" on public.learning_sessions;
drop policy "Guardians can read their students' learning sessions" on public.learning_sessions;
drop policy "Staff can read their students' learning sessions" on public.learning_sessions;

create policy "Learners, guardians and staff can read learning sessions"
  on public.learning_sessions for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- answer_attempts
drop policy "Students can read their own answer attempts" on public.answer_attempts;
drop policy "Guardians can read their students' answer attempts" on public.answer_attempts;
drop policy "Staff can read their students' answer attempts" on public.answer_attempts;

create policy "Learners, guardians and staff can read answer attempts"
  on public.answer_attempts for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- question_progress
drop policy "Students can read their own question progress" on public.question_progress;
drop policy "Guardians can read their students' question progress" on public.question_progress;
drop policy "Staff can read their students' question progress" on public.question_progress;

create policy "Learners, guardians and staff can read question progress"
  on public.question_progress for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- chat_sessions
drop policy "Students can read their own tutor chats" on public.chat_sessions;
drop policy "Guardians can read their students' tutor chats" on public.chat_sessions;
drop policy "Staff can read their students' tutor chats" on public.chat_sessions;

create policy "Learners, guardians and staff can read tutor chats"
  on public.chat_sessions for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));

-- ---------------------------------------------------------------- chat_messages
drop policy "Students can read their own chat messages" on public.chat_messages;
drop policy "Guardians can read their students' chat messages" on public.chat_messages;
drop policy "Staff can read their students' chat messages" on public.chat_messages;

create policy "Learners, guardians and staff can read chat messages"
  on public.chat_messages for select to authenticated
  using (
    user_id = (select auth.uid())
    or user_id in (select private.guardian_student_ids())
    or user_id in (select private.staff_student_ids()));
