-- Database fences applied to services (issue 16): written before the REVOKE, deleted after the GRANT back,
-- so a restarted maintenance-service lifts (or keeps) exactly what was revoked.
create table database_fence (
    service      text         primary key,
    app_role     text         not null,
    writer_role  text         not null,
    epoch        bigint       not null,
    applied_at   timestamptz
);

-- Write paths fenced in a read-only epoch (the state's "fenced" list), kept as the record of fences.
create table fenced_path (
    id        bigserial    primary key,
    epoch     bigint       not null,
    instance  text         not null,
    service   text         not null,
    reason    varchar(16)  not null,
    at        timestamptz  not null,
    unique (epoch, instance)
);
