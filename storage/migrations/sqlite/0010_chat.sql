-- Chat (issue 3): rooms, their messages and members' acknowledgements that a room is
-- public (P6).

-- Rooms are addressed by slug (/chat/{slug}); admins rename and archive them. An archived
-- room keeps its history readable but accepts no new messages.
create table chat_rooms (
    id          integer primary key,
    slug        text not null unique,
    name        text not null,
    topic       text not null default '',
    created_at  integer not null,
    archived_at integer
);

-- Messages keep the author's Markdown and the HTML sanitised once at write time.
-- autoincrement: an id is never reused, even after the newest row is removed, so a client
-- resuming with ?after=ID can never be handed a different message under an id it has seen.
-- author_id becomes null when a member deletes their account and keeps their messages
-- ("former member"). nonce is the client's label for its own message, echoed to its
-- connections on replay; submit_token makes a double-submitted form post idempotent.
create table chat_messages (
    id           integer primary key autoincrement,
    room_id      integer not null references chat_rooms(id),
    author_id    integer references users(id) on delete set null,
    source       text not null,
    html         text not null,
    nonce        text,
    submit_token text,
    created_at   integer not null,
    edited_at    integer,
    hidden_at    integer,                          -- hidden by moderators
    deleted_at   integer,
    deleted_by_staff integer not null default 0
);
create index chat_messages_room on chat_messages(room_id, id);
create index chat_messages_author on chat_messages(author_id, id);
create unique index chat_messages_submit_token on chat_messages(author_id, submit_token) where submit_token is not null;

-- A member's acknowledgement that a room is public, with the privacy-policy version they
-- saw; they are not asked again in that room until the policy changes.
create table chat_acks (
    user_id        integer not null references users(id) on delete cascade,
    room_id        integer not null references chat_rooms(id),
    policy_version integer not null,
    acked_at       integer not null,
    primary key (user_id, room_id)
);
