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

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'posting_app') AS new_posting_app \gset

SELECT format('CREATE ROLE %I %s PASSWORD %L', name, attributes, name)
  FROM (VALUES ('posting_owner', 'LOGIN'), ('posting_app', 'LOGIN'),
               ('maintenance_owner', 'LOGIN'), ('maintenance_app', 'LOGIN'),
               ('backup_owner', 'LOGIN'), ('backup_app', 'LOGIN CREATEDB'),
               ('suite_fencer', 'LOGIN CREATEROLE')) AS r(name, attributes)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec
SELECT format('CREATE ROLE %I %s', name, attributes)
  FROM (VALUES ('posting_writer', 'NOLOGIN'), ('backup_restore', 'NOLOGIN NOINHERIT')) AS r(name, attributes)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec
-- attributes that matter for safety are set on every run (a role made by hand converges)
ALTER ROLE posting_writer NOLOGIN;
ALTER ROLE posting_app NOCREATEDB NOCREATEROLE;
ALTER ROLE backup_restore NOLOGIN NOINHERIT;
ALTER ROLE backup_app CREATEDB;
ALTER ROLE suite_fencer LOGIN CREATEROLE;

-- posting_app writes only through posting_writer. Granted when posting_app is created, never again here:
-- from then on the membership belongs to the fence (maintenance-service revokes it, and grants it back
-- on the return to READ_WRITE), and a rerun of this script must not lift a fence.
\if :new_posting_app
GRANT posting_writer TO posting_app;
\endif
-- the fence: revokes/grants posting_writer (CREATEROLE) and ends posting_app's sessions (pg_signal_backend)
GRANT pg_signal_backend TO suite_fencer;
-- backup-service restores over a live database as that database's owner (pg_restore --role): backup_app may
-- SET ROLE posting_owner through backup_restore, but backup_restore is NOINHERIT, so backup_app's own sessions
-- have none of posting_owner's rights. Never maintenance_owner: the maintenance database is never restored.
GRANT backup_restore TO backup_app;
GRANT posting_owner TO backup_restore;
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
