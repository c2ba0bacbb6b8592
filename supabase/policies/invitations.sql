-- Policies of public.invitations: the organization's admins and the issuer
-- read and revoke pending invitations; the student a guardian invitation
-- names, and the guardian who accepted it, read it (never the token's hash:
-- no column grant). Invitations are created and answered only through the
-- RPCs (public.create_invitation, public.create_guardian_invitation,
-- public.accept_invitation, public.decline_invitation, and for the student
-- public.confirm_guardian_invitation, public.decline_guardian_invitation).

create policy "Admins, issuers, student and guardian can read invitations"
  on public.invitations for select to authenticated
  using (
    invited_by = (select private.uid())
    or student_id = (select private.uid())
    or accepted_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

create policy "Admins and issuers can revoke their organizations' invitations"
  on public.invitations for delete to authenticated
  using (
    invited_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));
