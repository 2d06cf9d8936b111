-- Members. Only what P1 allows: a username, an optional display name and email, the
-- argon2id hash and a role. No IP address or User-Agent is ever stored (P3).
create table users (
    id             integer primary key,
    username       text not null,
    username_key   text not null unique,           -- lower-cased for case-insensitive uniqueness
    display_name   text not null default '',
    email          text,                            -- optional (P1)
    email_verified integer not null default 0,
    password_hash  text not null,
    role           text not null default 'member' check (role in ('member', 'moderator', 'admin')),
    created_at     integer not null,
    deleted_at     integer
);

-- Sessions are random tokens; only their SHA-256 is stored, so a copy of the database
-- cannot be used to log in.
create table sessions (
    token_hash  blob primary key,
    user_id     integer not null references users(id) on delete cascade,
    created_at  integer not null,
    expires_at  integer not null
);
create index sessions_user on sessions(user_id);
create index sessions_expiry on sessions(expires_at);

create table categories (
    id          integer primary key,
    slug        text not null unique,
    name        text not null,
    description text not null default '',
    position    integer not null default 0,
    created_at  integer not null
);

create table threads (
    id            integer primary key,
    category_id   integer not null references categories(id),
    author_id     integer not null references users(id),
    title         text not null,
    slug          text not null,
    created_at    integer not null,
    last_post_at  integer not null,
    post_count    integer not null default 0,
    locked        integer not null default 0,
    pinned        integer not null default 0,
    hidden_at     integer,                          -- hidden by moderators
    deleted_at    integer
);
create index threads_category_activity on threads(category_id, pinned desc, last_post_at desc);
create index threads_activity on threads(last_post_at desc);

-- Posts keep the author's Markdown and the HTML sanitised once at write time.
-- submit_token makes a double-clicked submit idempotent.
create table posts (
    id           integer primary key,
    thread_id    integer not null references threads(id),
    author_id    integer not null references users(id),
    number       integer not null,
    source       text not null,
    html         text not null,
    created_at   integer not null,
    edited_at    integer,
    hidden_at    integer,                           -- hidden by moderators: author and staff still see it
    deleted_at   integer,
    submit_token text,
    unique (thread_id, number)
);
create unique index posts_submit_token on posts(author_id, submit_token) where submit_token is not null;
create index posts_author on posts(author_id, created_at);

-- Earlier versions of an edited post, visible to staff.
create table post_revisions (
    id          integer primary key,
    post_id     integer not null references posts(id),
    source      text not null,
    html        text not null,
    created_at  integer not null
);
create index post_revisions_post on post_revisions(post_id);
