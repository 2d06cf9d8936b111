-- Forum extras: search, notifications, unread tracking, watching and reactions.

-- Full-text search over forum posts; rowid is posts.id. title holds the thread's title on
-- its first post only, so that a title match ranks the thread's opening post rather than
-- every reply. body is the post's text: the triggers index the Markdown source so the
-- index is right whoever changes a post; the forum then replaces it, in the same
-- transaction, with the plain text of the sanitised HTML (no link targets, no syntax).
-- Hidden and deleted posts stay in the index and are filtered out by every query, so that
-- a moderator who restores a post needs no reindexing.
-- prefix: indexes of 2- and 3-character word beginnings make confi* quick.
create virtual table post_search using fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3');

insert into post_search(rowid, title, body)
    select p.id, case when p.number = 1 then t.title else '' end, p.source
    from posts p join threads t on t.id = p.thread_id;

create trigger post_search_insert after insert on posts begin
    insert into post_search(rowid, title, body) values (new.id,
        case when new.number = 1 then coalesce((select title from threads where id = new.thread_id), '') else '' end,
        new.source);
end;

create trigger post_search_update after update of source on posts when new.source is not old.source begin
    update post_search set body = new.source where rowid = new.id;
end;

create trigger post_search_delete after delete on posts begin
    delete from post_search where rowid = old.id;
end;

create trigger post_search_title after update of title on threads when new.title is not old.title begin
    update post_search set title = new.title
        where rowid = (select id from posts where thread_id = new.id and number = 1);
end;

-- A member's notifications. source_key names what caused one ("post:12", "chat:7"), and is
-- unique per member, so that a post that both mentions a member and replies to their
-- thread notifies them exactly once. The actor's name is looked up when shown, so that an
-- erased account disappears from other members' lists too.
create table notifications (
    id          integer primary key,
    user_id     integer not null references users(id) on delete cascade,
    kind        text not null,
    actor_id    integer references users(id) on delete set null,
    subject     text not null,                      -- the thread title or room name
    url         text not null,                      -- a path on this site
    source_key  text not null,
    created_at  integer not null,
    read_at     integer,
    unique (user_id, source_key)
);
create index notifications_list on notifications(user_id, id desc);
create index notifications_unread on notifications(user_id) where read_at is null;

-- How a member wants each kind of notification: 'off', 'app' (in Stoa) or 'email' (in
-- Stoa and by email). No row means the default: in Stoa, never by email.
create table notification_prefs (
    user_id   integer not null references users(id) on delete cascade,
    kind      text not null,
    delivery  text not null check (delivery in ('off', 'app', 'email')),
    primary key (user_id, kind)
) without rowid;

-- How far each member has read each thread, by post number.
create table thread_reads (
    user_id      integer not null references users(id) on delete cascade,
    thread_id    integer not null references threads(id),
    last_number  integer not null,
    primary key (user_id, thread_id)
) without rowid;

-- "Mark everything read": threads with no activity after this time are not unread.
create table forum_read_marks (
    user_id      integer primary key references users(id) on delete cascade,
    all_read_at  integer not null
);

-- Members watching a thread (1) or who stopped watching it (0), which for the thread's
-- author means no reply notifications either.
create table thread_watches (
    user_id    integer not null references users(id) on delete cascade,
    thread_id  integer not null references threads(id),
    watching   integer not null,
    primary key (user_id, thread_id)
) without rowid;
create index thread_watches_thread on thread_watches(thread_id) where watching = 1;

-- One reaction of each kind per member and post.
create table post_reactions (
    post_id     integer not null references posts(id),
    user_id     integer not null references users(id) on delete cascade,
    kind        text not null,
    created_at  integer not null,
    primary key (post_id, kind, user_id)
) without rowid;
create index post_reactions_user on post_reactions(user_id);
