-- How far each member has read each chat room, by message id, for the unread counts in
-- the room list (issue 16). Personal data (P3: needed for the counts); in the member's
-- export and removed when they delete their account.
create table chat_reads (
    user_id       bigint not null references users(id) on delete cascade,
    room_id       bigint not null references chat_rooms(id),
    last_read_id  bigint not null,
    primary key (user_id, room_id)
);
