-- Who started a backup and who started its last restore: the principal of the caller's token (DESIGN.md
-- "Security"), or backup-service for a scheduled backup. Null for rows from before.
alter table backup add column requested_by varchar(200);
alter table backup add column restore_requested_by varchar(200);
