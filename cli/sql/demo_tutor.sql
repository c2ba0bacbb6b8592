-- name: a_seeded_chat
-- The seeded chat with the most messages, and its learner.
select c.id as chat_id, c.user_id, p.nickname
from public.chat_sessions as c
join public.profiles as p on p.id = c.user_id
order by (select count(*) from public.chat_messages as m where m.chat_id = c.id) desc, c.id
limit 1;

-- name: tutor_context
select public.get_tutor_context(%(chat_id)s, 4, 3, 3) as context;
