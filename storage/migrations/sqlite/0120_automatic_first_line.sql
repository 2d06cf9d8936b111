-- The automatic first line (issue 15): watched words, posts and chat messages waiting for
-- review, chat slow mode and room freeze, and the audited actions that go with them.

-- Watched words, managed by admins. A plain entry matches a whole word, case-insensitive;
-- a regex entry is a Go RE2 expression. action says what happens to text that matches:
-- 'block' refuses it, 'hold' sends it to the moderators' queue, 'replace' writes
-- replacement instead of the match.
create table watched_words (
    id          integer primary key,
    pattern     text not null,
    is_regex    integer not null default 0,
    action      text not null check (action in ('block', 'hold', 'replace')),
    replacement text not null default '',
    created_at  integer not null,
    created_by  integer references users(id) on delete set null
);
create unique index watched_words_once on watched_words(lower(pattern), is_regex);

-- A post waiting for review is stored hidden (so nothing public shows it) with why it
-- waits: 'watched_word' or 'new_member'; review_note says which word, for moderators.
-- '' is a published post. A thread whose opening post waits is hidden too, and in_review
-- lets its author still open it.
alter table posts add column review text not null default '';
alter table posts add column review_note text not null default '';
alter table threads add column in_review integer not null default 0;
create index posts_review on posts(review, id);

-- Chat messages held for review are kept apart from the room's messages: an approved one
-- is published then, with a new id, so that ?after=ID never skips it.
create table chat_held (
    id          integer primary key,
    room_id     integer not null references chat_rooms(id),
    author_id   integer not null references users(id) on delete cascade,
    source      text not null,
    html        text not null,
    note        text not null default '',
    created_at  integer not null
);
create index chat_held_author on chat_held(author_id);

-- The duplicate check reads a member's messages of the last minutes on every message sent:
-- this index finds them without walking the member's whole history.
create index chat_messages_author_time on chat_messages(author_id, created_at);

-- Slow mode: seconds a member waits between messages (0: off). A frozen room accepts
-- messages from staff only.
alter table chat_rooms add column slow_seconds integer not null default 0;
alter table chat_rooms add column frozen_at integer;

insert into audit_actions(name, public) values
    ('change_watched_words', 0),
    ('approve_post', 0),
    ('reject_post', 1),
    ('approve_message', 0),
    ('reject_message', 1),
    ('auto_hide', 1),
    ('change_room_mode', 1),
    ('change_automod_settings', 0);
