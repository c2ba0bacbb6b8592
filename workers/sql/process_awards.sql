-- SQL of workers.process_awards.

-- name: process_batch
-- One batch of the queue, oldest first (0: empty, or another run holds the lock).
select private.process_awards(%(batch_size)s) as applied;

-- name: queued
select count(*) as queued from private.award_outbox;

-- name: listen
listen learnkit_awards;
