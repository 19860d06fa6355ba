-- The suite's PostgreSQL roles and databases, least privilege. Idempotent: run it again at will.
-- As a superuser, from this folder's files:
--   psql -d postgres -f infra/postgres/setup.sql                      posting, maintenance, backup
--   psql -d postgres -v suffix=_test -f infra/postgres/setup.sql      posting_test, ... (the tests' databases)
-- Local passwords are the role names (set when a role is created, never changed afterwards here).
-- See README.md beside this file for who may do what, and why.
\set ON_ERROR_STOP on
\if :{?suffix}
\else
\set suffix ''
\endif

\set owner posting_owner
\set app posting_app
\set writer posting_writer
\ir roles.sql
\set owner maintenance_owner
\set app maintenance_app
\set writer maintenance_app
\ir roles.sql
\set owner backup_owner
\set app backup_app
\set writer backup_app
\ir roles.sql

-- backup_app makes and drops the scratch databases that verification restores into
ALTER ROLE backup_app CREATEDB;
-- backup-service restores over a live database as that database's owner (pg_restore --role): backup_app may
-- SET ROLE posting_owner through backup_restore, but backup_restore is NOINHERIT, so backup_app's own sessions
-- have none of posting_owner's rights. Never maintenance_owner: the maintenance database is never restored.
SELECT 'CREATE ROLE backup_restore NOLOGIN NOINHERIT'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backup_restore') \gexec
ALTER ROLE backup_restore NOLOGIN NOINHERIT;
GRANT backup_restore TO backup_app;
GRANT posting_owner TO backup_restore;

-- the fence (maintenance-service): revokes and grants posting_writer (CREATEROLE), ends posting_app's
-- sessions (pg_signal_backend)
SELECT format('CREATE ROLE suite_fencer LOGIN CREATEROLE PASSWORD %L', 'suite_fencer')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'suite_fencer') \gexec
ALTER ROLE suite_fencer LOGIN CREATEROLE;
GRANT pg_signal_backend TO suite_fencer;

-- "suite", the local role of old, stays the administrator of the tests' scratch databases (CREATEDB); as a
-- member of the owner roles it keeps working on everything the services now own. No service uses it.
SELECT format('GRANT %I TO suite', owner)
  FROM unnest(ARRAY['posting_owner', 'maintenance_owner', 'backup_owner']) AS owner
 WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'suite') \gexec

\set owner posting_owner
\set app posting_app
\set writer posting_writer
\set reader backup_app
\set db posting :suffix
\ir database.sql

\set owner maintenance_owner
\set app maintenance_app
\set writer maintenance_app
\set reader backup_app
\set db maintenance :suffix
\ir database.sql

\set owner backup_owner
\set app backup_app
\set writer backup_app
\set reader backup_app
\set db backup :suffix
\ir database.sql
