-- create chat expiry
--
-- SignifyAI's "expire inactive chat sessions after 90 days to control costs":
-- private.expire_chat_sessions(at) deletes the tutor chats whose last activity
-- (last message, edit or creation) is older than
-- lifecycle_settings.chats_expire_after; their messages go with them (on
-- delete cascade). ai_usage rows stay (their chat_id is set null): usage and
-- cost accounting outlive the conversation. Destructive by design.

create function private.expire_chat_sessions(at timestamptz) returns bigint
language plpgsql
set search_path = ''
as $$
declare
  expire_after interval := (select chats_expire_after from private.lifecycle_settings);
  expired bigint;
begin
  delete from public.chat_sessions
  where greatest(created_at, updated_at, coalesce(last_message_at, created_at)) < at - expire_after;
  get diagnostics expired = row_count;
  return expired;
end
$$;
comment on function private.expire_chat_sessions(timestamptz) is
  'Deletes tutor chats (and their messages) inactive for longer than chats_expire_after at `at`.';
revoke execute on function private.expire_chat_sessions(timestamptz) from public;
