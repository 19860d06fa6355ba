-- What the roles of one service may do in its database. Idempotent.
-- Run in that database by its owner, or by a superuser (it switches to the owner first):
--   psql -d posting -v owner=posting_owner -v app=posting_app -v writer=posting_writer -v reader=backup_app -f grants.sql
--   owner   owns the database and every object in it, runs the migrations (may create)
--   app     what the service serves with: reads everything (and, if writer = app, writes)
--   writer  the write privileges; posting_app holds them only as a member of posting_writer, so that
--           REVOKE posting_writer FROM posting_app fences posting at the database
--   reader  one more role that may read everything (backup_app dumps the databases it backs up); may be = app
-- Nobody but the owner may create: PUBLIC has no CREATE on any schema (PostgreSQL 15's default for public,
-- enforced here for every schema).
\set ON_ERROR_STOP on
SET ROLE :"owner";

-- objects that exist now, in every schema of the database
SELECT format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', nspname) FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' \gexec
SELECT format('GRANT USAGE ON SCHEMA %I TO %I, %I, %I', nspname, :'app', :'writer', :'reader') FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA %1$I TO %2$I, %3$I; GRANT SELECT ON ALL SEQUENCES IN SCHEMA %1$I TO %2$I, %3$I',
              nspname, :'app', :'reader') FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' \gexec
SELECT format('GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %1$I TO %2$I; GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA %1$I TO %2$I',
              nspname, :'writer') FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' \gexec

-- objects that later migrations create (as the owner), in any schema, also schemas of their own
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO :"app", :"writer", :"reader";
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO :"app", :"reader";
ALTER DEFAULT PRIVILEGES GRANT SELECT ON SEQUENCES TO :"app", :"reader";
ALTER DEFAULT PRIVILEGES GRANT INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO :"writer";
ALTER DEFAULT PRIVILEGES GRANT USAGE, UPDATE ON SEQUENCES TO :"writer";

RESET ROLE;
