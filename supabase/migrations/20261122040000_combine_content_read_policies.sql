-- combine content read policies
--
-- courses, lessons and questions each had three permissive select policies for
-- authenticated (published, own drafts, staff's organization). PostgreSQL ORs
-- permissive policies in reverse order of their names, so "Staff can read
-- their organization's …" came first and every request that touched a lesson
-- or a question called private.staff_org_ids() even for global published
-- content, the common case (bench/rls_overhead.py: SignifyAI §5.1 and §5.3
-- join lessons, the Math engine's grid reads questions).
--
-- Each table now has one select policy whose cheapest test comes first:
-- global published rows pass on two column tests and no helper runs; the
-- author test needs only auth.uid(); the membership helpers run only for
-- organization content. The expression is exactly the OR of the three old
-- ones (published and (global or member's organization), or the author, or
-- staff of the organization), so who can read what is unchanged; the policy
-- matrix checks it.
--
-- Measured (bench/rls_overhead.py, scale 0.01, median of 3 runs, with the two
-- migrations after this one): §5.3 practice history 1.38× → 1.29× (every call
-- planned) and 1.35× → 1.21× (plans cached); fact grid 1.21× → 1.16× and
-- 1.15× → 1.08×. Scale 1 figures in docs/performance.md.

-- ---------------------------------------------------------------- courses
drop policy "Signed-in users can read published courses" on public.courses;
drop policy "Authors can read their own courses" on public.courses;
drop policy "Staff can read their organization's courses" on public.courses;

create policy "Users can read published courses, authors and staff drafts"
  on public.courses for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- lessons
drop policy "Signed-in users can read published lessons" on public.lessons;
drop policy "Authors can read their own lessons" on public.lessons;
drop policy "Staff can read their organization's lessons" on public.lessons;

create policy "Users can read published lessons, authors and staff drafts"
  on public.lessons for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- questions
drop policy "Signed-in users can read published questions" on public.questions;
drop policy "Authors can read their own questions" on public.questions;
drop policy "Staff can read their organization's questions" on public.questions;

create policy "Users can read published questions, authors and staff drafts"
  on public.questions for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));
