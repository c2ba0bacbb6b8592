-- drop any-organization helpers
--
-- These helpers answered "a learner of ANY organization I staff" (and
-- can_link_guardian, the direct guardian insert's check): the shape the trust
-- model removed (20261202110000, 20261202160000). No policy or function calls
-- them any more; kept, they invite the next policy to reopen the hole. Staff
-- policies use private.staff_learner_pairs() / staff_member_pairs() with the
-- row's own organization instead. Destructive only for these unused functions.

drop function private.can_link_guardian(uuid, uuid);
drop function private.is_staff_of_student(uuid);
drop function private.linked_learner_ids();
drop function private.staff_student_ids();
drop function private.staff_member_ids();
drop function private.member_org_staff_ids();
