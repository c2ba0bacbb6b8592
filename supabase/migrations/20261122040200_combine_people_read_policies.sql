-- combine people read policies
--
-- profiles had five permissive select policies for authenticated and
-- guardianships three. PostgreSQL ORs permissive policies in reverse order of
-- their names, so a guardian reading a child's profile called four helpers
-- (student_guardian_ids, staff_member_ids, member_org_staff_ids, then
-- guardian_student_ids, the one that matched), and reading their own
-- guardianships called staff_student_ids first (bench/rls_overhead.py, the
-- guardian's child overview).
--
-- Each table now has one select policy, cheapest and most frequent test
-- first: the user's own row, then the guardian's children, then the other
-- links. On guardianships, `(select auth.uid()) in (guardian_id, student_id)`
-- is the old pair of tests `guardian_id = …` / `student_id = …` with one
-- auth.uid() call instead of two. The expressions are exactly the OR of the
-- old ones, so who can read what is unchanged; the policy matrix checks it.
-- Measured: with 20261122040000 and 040100, the guardian's child overview went
-- from 1.90× to 1.67× (every call planned) and 2.52× to 1.97× (plans cached),
-- bench/rls_overhead.py at scale 0.01, median of 3 runs; scale 1 figures in
-- docs/performance.md.

-- ---------------------------------------------------------------- profiles
drop policy "Users can read their own profile" on public.profiles;
drop policy "Guardians can read their students' profiles" on public.profiles;
drop policy "Students can read their guardians' profiles" on public.profiles;
drop policy "Staff can read the profiles of their organizations' members" on public.profiles;
drop policy "Members can read the profiles of their organizations' staff" on public.profiles;

create policy "Users can read their own and their linked people's profiles"
  on public.profiles for select to authenticated
  using (
    id = (select auth.uid())
    or id in (select private.guardian_student_ids())
    or id in (select private.student_guardian_ids())
    or id in (select private.staff_member_ids())
    or id in (select private.member_org_staff_ids()));

-- ---------------------------------------------------------------- guardianships
drop policy "Guardians can read their own guardianships" on public.guardianships;
drop policy "Students can read who their guardians are" on public.guardianships;
drop policy "Staff can read their students' guardianships" on public.guardianships;

create policy "Guardians, students and staff can read their guardianships"
  on public.guardianships for select to authenticated
  using (
    (select auth.uid()) in (guardian_id, student_id)
    or student_id in (select private.staff_student_ids()));
