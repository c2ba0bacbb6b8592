-- Policies of public.invitations: the organization's admins and the issuer
-- read and revoke pending invitations (never the token's hash: no column
-- grant). Invitations are created and answered only through the RPCs
-- (public.create_invitation, public.create_guardian_invitation,
-- public.accept_invitation, public.decline_invitation).

create policy "Admins and issuers can read their organizations' invitations"
  on public.invitations for select to authenticated
  using (
    invited_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

create policy "Admins and issuers can revoke their organizations' invitations"
  on public.invitations for delete to authenticated
  using (
    invited_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));
