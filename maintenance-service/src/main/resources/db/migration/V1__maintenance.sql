-- The current maintenance state: exactly one row, locked FOR UPDATE by every change so epochs never collide.
create table maintenance_state (
    id                integer primary key check (id = 1),
    epoch             bigint       not null,
    mode              varchar(16)  not null,
    reason            text         not null,
    requested_by      text         not null,
    since             timestamptz  not null,
    expires_at        timestamptz,
    drain_timeout_ms  bigint,
    held_by           text,
    -- outbox: every change bumps version; the publisher marks what Kafka has acknowledged.
    version           bigint       not null,
    published_version bigint       not null
);
insert into maintenance_state (id, epoch, mode, reason, requested_by, since, version, published_version)
values (1, 0, 'READ_WRITE', 'initial', 'system', now(), 1, 0);

-- Every change: who, when, why, which epoch.
create table maintenance_history (
    id               bigserial primary key,
    epoch            bigint       not null,
    action           varchar(16)  not null,
    mode             varchar(16)  not null,
    reason           text         not null,
    requested_by     text         not null,
    at               timestamptz  not null,
    expires_at       timestamptz,
    drain_timeout_ms bigint,
    held_by          text,
    forced           boolean      not null default false
);
create index maintenance_history_epoch on maintenance_history (epoch);
