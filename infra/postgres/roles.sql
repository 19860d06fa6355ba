-- The roles of one service: :owner (LOGIN: owns its database, migrates), :app (LOGIN: serves) and, when
-- :writer differs from :app, :writer (NOLOGIN: the write privileges, held by :app as a member). Idempotent.
-- Run by a superuser (setup.sql includes it) or a CREATEROLE role (a test making throwaway roles):
--   psql -v owner=posting_owner -v app=posting_app -v writer=posting_writer -f roles.sql
-- Passwords are the role names (local), set when a role is created and never changed here afterwards;
-- or, given -v app_password=..., :app's password is that one, on every run (Kubernetes: from its Secret).
\set ON_ERROR_STOP on
\if :{?app_password}
\set set_app_password true
\else
\set app_password :app
\set set_app_password false
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') AS new_app \gset
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', name, CASE WHEN name = :'app' THEN :'app_password' ELSE name END)
  FROM unnest(ARRAY[:'owner', :'app']) AS name
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec
\if :set_app_password
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'app', :'app_password') \gexec
\endif
SELECT format('CREATE ROLE %I NOLOGIN', :'writer')
 WHERE :'writer' <> :'app' AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'writer') \gexec
-- :app writes only through :writer. Granted when :app is created, never again here: from then on the
-- membership belongs to the fence (maintenance-service revokes it and grants it back on the return to
-- READ_WRITE), and a rerun of this script must not lift a fence.
\if :new_app
SELECT format('GRANT %I TO %I', :'writer', :'app') WHERE :'writer' <> :'app' \gexec
\endif
-- A defaulted :app_password must not outlive this run: setup.sql includes this file once per service,
-- and the next service's app role would get this one's password.
\if :set_app_password
\else
\unset app_password
\endif
