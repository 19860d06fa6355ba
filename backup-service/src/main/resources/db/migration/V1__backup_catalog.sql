-- The backup catalog: one row per backup, with what it produced and how verification went.
create table backup (
    id                   uuid primary key,
    label                varchar(200) not null,
    mode                 varchar(16)  not null,
    status               varchar(24)  not null,
    epoch                bigint,
    set_read_only        boolean      not null default false,
    folder               varchar(200),
    artifacts            text,
    verified             boolean,
    error                text,
    started_at           timestamptz  not null,
    finished_at          timestamptz,
    heartbeat_at         timestamptz  not null,
    drain_ms             bigint,
    dump_ms              bigint,
    verify_ms            bigint,
    read_only_window_ms  bigint,
    total_bytes          bigint,
    restore_status       varchar(16),
    restore_started_at   timestamptz,
    restore_finished_at  timestamptz,
    restore_error        text
);

-- One job (backup, re-verification or restore) at a time, across all replicas: the database says no.
create unique index backup_one_active_job on backup ((true))
    where status in ('WAITING_FOR_DRAIN', 'RUNNING', 'VERIFYING') or restore_status = 'RUNNING';

create index backup_started_at on backup (started_at desc);
