-- The mail outbox: every email Stoa sends is a row written in the same transaction as the
-- action that causes it, so a saved action always has its mail and a rolled-back one has
-- none. Delivered mail is deleted (P3: the body may hold a one-time link); what stays is
-- mail still queued and mail that failed, for admins to retry.
create table mail_outbox (
    id              integer primary key,
    user_id         integer references users(id) on delete cascade,  -- the member it is for, if any
    kind            text not null,
    recipient       text not null,
    subject         text not null,
    body_text       text not null,
    body_html       text not null,
    headers         text not null default '{}',   -- JSON object of extra headers
    message_id      text not null default '',     -- stable across retries: duplicates are recognisable
    status          text not null default 'queued' check (status in ('queued', 'failed')),
    attempts        integer not null default 0,
    next_attempt_at integer not null,
    last_error      text not null default '',
    created_at      integer not null
);
create index mail_outbox_due on mail_outbox(status, next_attempt_at);
create index mail_outbox_user on mail_outbox(user_id) where user_id is not null;

-- One-time links sent by email: password reset and address confirmation. Only the SHA-256
-- of the token is stored, so a copy of the database cannot be used to follow a link.
create table account_tokens (
    token_hash  blob primary key,
    user_id     integer not null references users(id) on delete cascade,
    purpose     text not null check (purpose in ('reset', 'confirm')),
    email       text not null default '',  -- for 'confirm': the address being confirmed
    created_at  integer not null,
    expires_at  integer not null
);
create index account_tokens_user on account_tokens(user_id, purpose);
create index account_tokens_expiry on account_tokens(expires_at);
