-- A member's own choices that are not about one kind of notification (issue 16). No row
-- means every default. auto_watch: replying to a thread makes the member watch it (on by
-- default). Personal data (P3: kept because the member chose it and it changes what they
-- are sent); in their export and removed when they delete their account.
create table member_settings (
    user_id     bigint primary key references users(id) on delete cascade,
    auto_watch  integer not null default 1
);
