-- Ban evasion by self-deletion (issue 15, bug 7; issue 16.3). A deleted account keeps, on
-- its emptied row, a mark of the name it held: HMAC-SHA256 of the lower-cased username
-- under a per-site secret, which cannot be turned back into the name. It reserves the name
-- for a while (the site setting name_reservation_days) and, once someone holds the name
-- again, lets staff see the moderation record of the account that held it before. No IP
-- address is needed or stored.
create table name_mark_secret (
    id      bigint primary key check (id = 1),
    secret  bytea not null
);
alter table users add column name_mark bytea;
create index users_name_mark on users(name_mark);
