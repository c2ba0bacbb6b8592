-- restrict rewards to admins
--
-- Issue 14, item 4: only admins write an organization's rules, achievements
-- and challenges. Rules (gamification_settings) already were admins' only;
-- achievements and daily challenges were written by any staff, so an educator
-- could create achievements and challenges of any reward. Now their insert,
-- update and delete policies admit the organization's admins only (educators
-- keep reading them, secret ones included). Replaces those policies; the
-- reward limits themselves are in 20261202120000.

-- ---------------------------------------------------------------- achievements
drop policy "Staff can create achievements for their organization" on public.achievements;
drop policy "Staff can update their organization's achievements" on public.achievements;

create policy "Admins can create achievements for their organization"
  on public.achievements for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can update their organization's achievements"
  on public.achievements for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

-- ---------------------------------------------------------------- daily_challenges
drop policy "Staff can create daily challenges for their organization" on public.daily_challenges;
drop policy "Staff can update their organization's daily challenges" on public.daily_challenges;
drop policy "Staff can delete their organization's daily challenges" on public.daily_challenges;

create policy "Admins can create daily challenges for their organization"
  on public.daily_challenges for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can update their organization's daily challenges"
  on public.daily_challenges for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can delete their organization's daily challenges"
  on public.daily_challenges for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));
