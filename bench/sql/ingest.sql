-- bench/ingest.py: learners (md5-derived ids) and the statements both workloads send.

-- name: setup
insert into auth.users (id, email, raw_user_meta_data)
select md5('learner' || i)::uuid, 'ingest' || i || '@bench.learnkit.dev', jsonb_build_object('nickname', 'learner' || i)
from generate_series(1, %(learners)s) i;
analyze;

-- name: record
-- What PostgREST runs for POST /rpc/record_learning_events (after setting the request, bench/common.act_as).
select recorded, duplicates from public.record_learning_events(%(events)s::jsonb);

-- name: insert_one
-- The baseline: one plain INSERT per event, committed on its own, as the owner (no request set-up, no checks
-- but the table's own): the cheapest way to write one event at a time.
insert into public.learning_events (user_id, event_type, mode, is_correct, response_ms, active_seconds, occurred_at,
                                    client_event_id)
values (%(user_id)s, 'answer', 'practice', %(is_correct)s, %(response_ms)s, %(active_seconds)s, %(occurred_at)s,
        %(event_id)s)
on conflict do nothing;

-- name: insert_batch
-- The ceiling (--ceiling): the same 500 events into the same table (its indexes, checks, foreign keys and
-- event-time trigger) in one plain INSERT ... SELECT as the owner: no request, no validation, no rate counter.
insert into public.learning_events (user_id, event_type, mode, is_correct, response_ms, active_seconds, occurred_at,
                                    client_event_id)
select %(user_id)s, e.event_type, e.mode, e.is_correct, e.response_ms, e.active_seconds, e.occurred_at, e.event_id
from jsonb_to_recordset(%(events)s::jsonb) as e (event_id uuid, event_type text, mode text, is_correct boolean,
                                                 response_ms integer, active_seconds integer, occurred_at timestamptz);

-- name: copy_batch
-- The other ceiling (--ceiling): COPY of the same 500 rows, text already formatted by the client.
copy public.learning_events (user_id, event_type, mode, is_correct, response_ms, active_seconds, occurred_at,
                             client_event_id) from stdin;

-- name: count_events
select count(*) as events, count(distinct client_event_id) as distinct_ids from public.learning_events;
