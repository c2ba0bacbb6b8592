-- Introspection for `learnkit gen erd`: tables, their key columns and their foreign keys.
--
-- Partitions are left out (their parent stands for them; the maintain-partitions job adds and drops them, so
-- they are data, not schema), and so are objects that belong to an extension.

-- name: tables
select n.nspname as schema,
       c.relname as name,
       (select count(*) from pg_catalog.pg_attribute as a
         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped)::integer as column_count
  from pg_catalog.pg_class as c
  join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
 where n.nspname = any(%(schemas)s)
   and c.relkind in ('r', 'p')
   and not c.relispartition
   and not exists (select from pg_catalog.pg_depend as d
                    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      and d.objid = c.oid and d.deptype = 'e')
 order by n.nspname, c.relname;

-- name: key_columns
-- Columns in the primary key or in a foreign key, in column order.
select n.nspname as schema,
       c.relname as "table",
       a.attname as name,
       a.attnum::integer as position,
       pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
       exists (select from pg_catalog.pg_constraint as pk
                where pk.conrelid = c.oid and pk.contype = 'p' and a.attnum = any(pk.conkey)) as primary_key
  from pg_catalog.pg_attribute as a
  join pg_catalog.pg_class as c on c.oid = a.attrelid
  join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
 where n.nspname = any(%(schemas)s)
   and c.relkind in ('r', 'p')
   and not c.relispartition
   and a.attnum > 0 and not a.attisdropped
   and exists (select from pg_catalog.pg_constraint as k
                where k.conrelid = c.oid and k.contype in ('p', 'f') and a.attnum = any(k.conkey))
 order by n.nspname, c.relname, a.attnum;

-- name: foreign_keys
-- Foreign keys declared on the tables of `schemas` (a partition's copies of its parent's are left out),
-- with their columns on both sides in key order.
select fn.nspname as schema,
       f.relname as "table",
       co.conname as name,
       array(select a.attname::text
               from unnest(co.conkey) with ordinality as k(attnum, ord)
               join pg_catalog.pg_attribute as a on a.attrelid = co.conrelid and a.attnum = k.attnum
              order by k.ord) as columns,
       tn.nspname as target_schema,
       t.relname as target_table,
       array(select a.attname::text
               from unnest(co.confkey) with ordinality as k(attnum, ord)
               join pg_catalog.pg_attribute as a on a.attrelid = co.confrelid and a.attnum = k.attnum
              order by k.ord) as target_columns
  from pg_catalog.pg_constraint as co
  join pg_catalog.pg_class as f on f.oid = co.conrelid
  join pg_catalog.pg_namespace as fn on fn.oid = f.relnamespace
  join pg_catalog.pg_class as t on t.oid = co.confrelid
  join pg_catalog.pg_namespace as tn on tn.oid = t.relnamespace
 where co.contype = 'f'
   and co.conparentid = 0
   and not f.relispartition
   and fn.nspname = any(%(schemas)s)
 order by fn.nspname, f.relname, co.conname;
