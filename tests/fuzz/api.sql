-- The fuzzer's requests (tests/fuzz/machine.py), one named block each, as PostgREST would send them:
-- table operations and RPCs of the API roles. Parameters are rendered as literals (tests/fuzz/driver.py),
-- so the recorded steps replay in psql as they ran.

-- ============================================================ set-up and the scheduler (the database owner)

-- name: sign_up
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
values (%(id)s, %(email)s, %(metadata)s::jsonb, now());

-- name: found_organization_as_owner
insert into public.organizations (name, slug, kind, created_by) values (%(name)s, %(slug)s, 'school', %(creator)s)
returning id;

-- name: add_member_as_owner
insert into public.organization_members (organization_id, user_id, role)
values (%(organization_id)s, %(user_id)s, %(role)s::public.organization_role)
on conflict (organization_id, user_id) do nothing;

-- name: link_guardian_as_owner
insert into public.guardianships (guardian_id, student_id) values (%(guardian_id)s, %(student_id)s);

-- name: vouch_as_owner
-- Only where the schema has vouches (after the trust model); the set-up leaves it out elsewhere.
insert into public.guardianship_vouches (guardian_id, student_id, organization_id)
values (%(guardian_id)s, %(student_id)s, %(organization_id)s);

-- name: question_as_owner
insert into public.questions (organization_id, question_type, operand1, operand2, operation, is_published)
values (%(organization_id)s, 'math_fact', %(a)s, %(b)s, '+', true)
returning id;

-- name: answer_key_as_owner
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values (%(question_id)s, %(answer)s, %(value)s);

-- name: expire_invitation
-- Time passes for one invitation (the clock, as the owner).
update public.invitations set expires_at = now() - interval '1 second' where id = %(invitation_id)s;

-- name: recompute_streaks
select private.recompute_streaks() as changed;

-- name: refresh_rollups
select analytics.refresh_rollups(false) as written;

-- name: close_due_league_weeks
select private.close_due_league_weeks(now()) as closed;

-- name: send_reengagement_nudges
select private.send_reengagement_nudges(now()) as written;

-- name: wait_event
-- Whether a session waits on a lock (two devices at once).
select wait_event_type from pg_catalog.pg_stat_activity where pid = %(pid)s;

-- name: has_function
select to_regprocedure(%(signature)s) is not null as present;

-- name: has_table
select to_regclass(%(relation)s) is not null as present;

-- ============================================================ organizations and consent

-- name: create_organization
insert into public.organizations (name, slug, kind) values (%(name)s, %(slug)s, 'school') returning id;

-- name: create_invitation
select invitation_id as id, token from public.create_invitation(
  %(organization_id)s, %(role)s::public.organization_role, %(email)s, interval '7 days');

-- name: create_guardian_invitation
select invitation_id as id, token from public.create_guardian_invitation(%(organization_id)s, %(student_id)s,
                                                                         %(email)s);

-- name: accept_invitation
select * from public.accept_invitation(%(token)s);

-- name: decline_invitation
select public.decline_invitation(%(token)s);

-- name: confirm_guardian_invitation
select public.confirm_guardian_invitation(%(invitation_id)s) as linked;

-- name: decline_guardian_invitation
select public.decline_guardian_invitation(%(invitation_id)s);

-- name: remove_member
-- Leaving (the member themselves) or removing (an admin).
delete from public.organization_members where organization_id = %(organization_id)s and user_id = %(user_id)s;

-- name: change_role
update public.organization_members set role = %(role)s::public.organization_role
where organization_id = %(organization_id)s and user_id = %(user_id)s;

-- name: end_guardianship
delete from public.guardianships where guardian_id = %(guardian_id)s and student_id = %(student_id)s;

-- name: insert_member
-- An attempt: memberships come from accepted invitations only.
insert into public.organization_members (organization_id, user_id, role)
values (%(organization_id)s, %(user_id)s, %(role)s::public.organization_role);

-- name: insert_guardianship
-- An attempt: guardian links come from consented guardian invitations only.
insert into public.guardianships (guardian_id, student_id) values (%(guardian_id)s, %(student_id)s);

-- ============================================================ content, answers, the economy

-- name: create_question
insert into public.questions (organization_id, question_type, operand1, operand2, operation, is_published)
values (%(organization_id)s, 'math_fact', %(a)s, %(b)s, '+', true)
returning id;

-- name: create_answer_key
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values (%(question_id)s, %(answer)s, %(value)s);

-- name: create_achievement
insert into public.achievements (organization_id, slug, name, description, criteria, target, xp_reward)
values (%(organization_id)s, %(slug)s, %(name)s, 'Earn XP here', 'xp_total', %(target)s, %(reward)s)
returning id;

-- name: start_session
insert into public.learning_sessions (session_type) values ('practice') returning id;

-- name: submit_answer
select public.submit_answer(%(session_id)s, %(question_id)s, %(answer)s::jsonb, 800, %(key)s) as result;

-- name: use_hint
select public.use_hint(%(question_id)s, %(key)s) as result;

-- name: set_time_zone
update public.profiles set time_zone = %(time_zone)s where id = %(user_id)s;

-- name: set_opt_out
update public.xp_profiles set leaderboard_opt_out = %(opt_out)s where user_id = %(user_id)s;

-- name: forge_balance
-- An attempt: XP is server-owned.
update public.xp_profiles set xp = xp + 1000, lifetime_xp = lifetime_xp + 1000 where user_id = %(user_id)s;

-- name: forge_organization_xp
update public.organization_xp set lifetime_xp = lifetime_xp + 1000 where user_id = %(user_id)s;

-- name: forge_ledger
insert into public.xp_transactions (user_id, organization_id, kind, category, amount, delta, reason, balance_after,
                                    lifetime_xp_after, level_after, local_day, idempotency_key)
values (%(user_id)s, %(organization_id)s, 'earned', 'bonus', 1000, 1000, 'forged', 1000, 1000, 5, current_date,
        %(key)s);

-- name: forge_attempt
insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms, is_correct)
values (%(user_id)s, %(session_id)s, %(question_id)s, '0'::jsonb, 800, true);

-- name: gift_xp
select public.increment_xp(%(user_id)s, 1000, 'gift', 'bonus', %(key)s) as result;

-- name: process_awards
select private.process_awards(1000) as processed;

-- ============================================================ tutor chats

-- name: start_chat
insert into public.chat_sessions (title) values (%(title)s) returning id;

-- name: post_message
insert into public.chat_messages (chat_id, content) values (%(chat_id)s, %(content)s) returning id;

-- name: read_chat
-- What the actor reads of a chat (an attacker's probe of someone else's).
select id from public.chat_messages where chat_id = %(chat_id)s;

-- ============================================================ reads the checks make

-- name: read_organizations
select id from public.organizations;

-- name: read_organization_members
select organization_id, user_id from public.organization_members;

-- name: read_guardianships
select guardian_id, student_id from public.guardianships;

-- name: read_chat_sessions
select id, user_id from public.chat_sessions;

-- name: read_chat_messages
select id, user_id from public.chat_messages;

-- name: read_answer_attempts
select id, user_id from public.answer_attempts;

-- name: read_xp_profiles
select user_id from public.xp_profiles;

-- name: read_organization_xp
select user_id, organization_id from public.organization_xp;

-- name: leaderboard
select rank, nickname, score, is_me
from public.get_leaderboard(%(organization_id)s, 'xp', 'all_time', 'organization', null, 100);

-- name: around_me
select rank, nickname, score, is_me
from public.get_leaderboard_around_me(%(organization_id)s, 'xp', 'all_time', 'organization', null, 5);

-- name: xp_state
-- Balance and lifetime XP per learner beside their ledger's sums (the owner's view).
select p.user_id, p.xp, p.lifetime_xp,
       coalesce(sum(t.delta), 0)::bigint as ledger_sum,
       coalesce(sum(t.amount) filter (where t.kind = 'earned'), 0)::bigint as ledger_earned
from public.xp_profiles p
left join public.xp_transactions t on t.user_id = p.user_id
group by p.user_id, p.xp, p.lifetime_xp;

-- name: organization_xp_state
-- XP per learner and organization beside the ledger's earned rows of that organization.
select coalesce(o.user_id, t.user_id) as user_id, coalesce(o.organization_id, t.organization_id) as organization_id,
       coalesce(o.lifetime_xp, 0)::bigint as lifetime_xp, coalesce(t.earned, 0)::bigint as ledger_earned
from public.organization_xp o
full join (select user_id, organization_id, sum(amount) as earned from public.xp_transactions
           where kind = 'earned' and organization_id is not null group by user_id, organization_id) t
  on t.user_id = o.user_id and t.organization_id = o.organization_id;

-- name: ledger_key_repeats
select user_id, idempotency_key, count(*) as n from public.xp_transactions
group by user_id, idempotency_key having count(*) > 1;

-- name: fingerprint
-- What a refused write must leave as it was.
select md5(concat_ws('|',
  (select string_agg(organization_id || ':' || user_id || ':' || role, ',' order by organization_id, user_id)
   from public.organization_members),
  (select string_agg(guardian_id || ':' || student_id, ',' order by guardian_id, student_id)
   from public.guardianships),
  (select string_agg(user_id || ':' || xp || ':' || lifetime_xp || ':' || leaderboard_opt_out, ','
                     order by user_id) from public.xp_profiles),
  (select count(*) from public.xp_transactions),
  (select count(*) from public.answer_attempts),
  (select count(*) from public.questions),
  (select count(*) from public.achievements),
  (select count(*) from public.chat_sessions),
  (select count(*) from public.chat_messages),
  (select count(*) from public.organizations))) as digest;

-- name: owner_memberships
select organization_id, user_id, role::text as role from public.organization_members;

-- name: owner_guardianships
select guardian_id, student_id from public.guardianships;
