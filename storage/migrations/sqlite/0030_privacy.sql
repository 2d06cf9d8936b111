-- Versioned policy documents (P14): the privacy policy and the community agreement.
-- Versions are never edited; an admin saving a change adds a version.
create table policies (
    id          integer primary key,
    name        text not null,                 -- "privacy", "agreement", …
    version     integer not null,
    title       text not null,
    source      text not null,                 -- the admin's Markdown
    html        text not null,                 -- sanitised once, at write
    material    integer not null default 0,    -- a material change: banner and mail to members
    created_by  integer references users(id) on delete set null,
    created_at  integer not null,
    unique (name, version)
);

-- Which policy versions a member accepted (at registration) or acknowledged (after a
-- material change). Kept for the member's export; erased with the account.
create table policy_consents (
    user_id     integer not null references users(id) on delete cascade,
    name        text not null,
    version     integer not null,
    kind        text not null check (kind in ('accepted', 'acknowledged')),
    created_at  integer not null,
    primary key (user_id, name, version)
);

-- Contact preferences (P11): announcements are opt-in, off unless a row says otherwise.
-- The unsubscribe token only ever unsubscribes, so it is stored as it is sent.
create table contact_preferences (
    user_id           integer primary key references users(id) on delete cascade,
    announcements     integer not null default 0,
    unsubscribe_token text not null unique,
    updated_at        integer not null
);

-- Announcements admins sent to opted-in members.
create table announcements (
    id          integer primary key,
    subject     text not null,
    body        text not null,
    sent_by     integer references users(id) on delete set null,
    recipients  integer not null,
    created_at  integer not null
);

-- Enquiries through /contact (P9): from members (user_id) or anonymous visitors, who may
-- leave an address for the answer. No IP address or User-Agent is kept (P3).
create table enquiries (
    id          integer primary key,
    user_id     integer references users(id) on delete cascade,
    reply_to    text not null default '',
    subject     text not null,
    body        text not null,
    status      text not null default 'open' check (status in ('open', 'answered', 'closed')),
    created_at  integer not null,
    updated_at  integer not null
);
create index enquiries_status on enquiries(status, updated_at desc);
create index enquiries_user on enquiries(user_id) where user_id is not null;

-- Messages on an enquiry after the first: answers from staff and follow-ups from members.
create table enquiry_messages (
    id          integer primary key,
    enquiry_id  integer not null references enquiries(id) on delete cascade,
    author_id   integer references users(id) on delete set null,
    from_staff  integer not null,
    body        text not null,
    created_at  integer not null,
    read_at     integer                         -- when the member read a staff answer
);
create index enquiry_messages_enquiry on enquiry_messages(enquiry_id, id);

-- Anonymous analytics (P4): one counter per day, dimension and value. There are no
-- per-visitor rows, no IP addresses, no User-Agent strings.
create table analytics_daily (
    day         text not null,                 -- YYYY-MM-DD, UTC
    dimension   text not null check (dimension in ('page', 'browser', 'referrer')),
    value       text not null,
    count       integer not null,
    primary key (day, dimension, value)
);
