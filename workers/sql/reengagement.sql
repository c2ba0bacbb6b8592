-- SQL of workers.reengagement.

-- name: send_nudges
select private.send_reengagement_nudges(%(now)s) as written;
