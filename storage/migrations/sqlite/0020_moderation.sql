-- Moderation: reports, sanctions, notices to rule-breakers, staff notes and the
-- append-only audit log (issue 4; principles P8, P10, P13).

-- Reports from members. target_kind/target_id name what was reported: a forum post, a
-- chat message or a member. target_user_id is the member responsible for it. The
-- snapshot keeps the content as it was when reported, whatever happens to it later.
create table reports (
    id             integer primary key,
    reporter_id    integer not null references users(id),
    target_kind    text not null check (target_kind in ('post', 'message', 'user')),
    target_id      integer not null,
    target_user_id integer references users(id),
    reason         text not null check (reason in ('spam', 'harassment', 'personal_info', 'off_topic', 'other')),
    details        text not null default '',
    snapshot_label text not null default '',      -- e.g. "Post #3 in “Welcome”"
    snapshot_text  text not null default '',      -- the author's Markdown, or profile fields
    snapshot_html  text not null default '',      -- sanitised HTML as it was shown
    target_url     text not null default '',
    created_at     integer not null,
    updated_at     integer not null,
    resolved_at    integer,
    resolved_by    integer references users(id),
    resolution     text check (resolution in ('dismissed', 'actioned'))
);
-- One member's repeated reports of the same thing collapse into one open report.
create unique index reports_open_once on reports(reporter_id, target_kind, target_id) where resolved_at is null;
create index reports_open on reports(resolved_at, target_kind, target_id);
create index reports_target_user on reports(target_user_id);

-- Sanctions end by themselves at ends_at (null: a ban, without end) unless lifted early.
create table sanctions (
    id          integer primary key,
    user_id     integer not null references users(id),
    kind        text not null check (kind in ('silence', 'suspend', 'ban')),
    reason      text not null default '',
    starts_at   integer not null,
    ends_at     integer,
    created_by  integer references users(id),
    created_at  integer not null,
    lifted_at   integer,
    lifted_by   integer references users(id)
);
create index sanctions_user on sanctions(user_id, lifted_at, ends_at);

-- Notices from the moderators to a member. The cited rules are copied (number and text)
-- with the agreement version, and the quoted content is the report's snapshot, so a
-- notice reads the same after the agreement or the content changes.
create table notices (
    id                integer primary key,
    user_id           integer not null references users(id),
    moderator_id      integer references users(id),   -- shown to staff only
    report_kind       text not null default '',
    report_target     integer,
    body              text not null,
    html              text not null,
    rules             text not null default '[]',       -- JSON [{"Number":1,"Text":"…"}]
    agreement_version integer,
    quote_label       text not null default '',
    quote_html        text not null default '',
    quote_url         text not null default '',
    sanction          text not null default '',         -- what came with it, e.g. "silenced for 1 day"
    created_at        integer not null,
    read_at           integer,                          -- first read by the member (receipt for staff)
    member_seen_at    integer,                          -- last time the member opened it
    -- Reply ids rather than times say what is new, so two events in one second never hide one.
    member_seen_reply integer not null default 0,       -- last reply the member has seen
    staff_seen_reply  integer not null default 0,       -- last reply staff have seen
    last_staff_reply  integer not null default 0,
    last_member_reply integer not null default 0
);
create index notices_user on notices(user_id, created_at desc);
create index notices_awaiting on notices(last_member_reply, staff_seen_reply);

create table notice_replies (
    id          integer primary key,
    notice_id   integer not null references notices(id),
    author_id   integer references users(id),
    from_staff  integer not null default 0,
    body        text not null,
    html        text not null,
    created_at  integer not null
);
create index notice_replies_notice on notice_replies(notice_id, id);

-- Private notes staff keep on a member; never shown to the member.
create table mod_notes (
    id          integer primary key,
    user_id     integer not null references users(id),
    author_id   integer references users(id),
    body        text not null,
    created_at  integer not null
);
create index mod_notes_user on mod_notes(user_id, id);

-- The fixed enum of audited actions. New actions are only ever added (by a later
-- migration inserting rows); the triggers below refuse changing or removing one.
-- public: the action appears in the public moderation log (/modlog), without names of staff.
create table audit_actions (
    name    text primary key,
    public  integer not null
);
insert into audit_actions(name, public) values
    ('dismiss_reports', 0),
    ('hide_post', 1),
    ('unhide_post', 1),
    ('delete_post', 1),
    ('lock_thread', 1),
    ('unlock_thread', 1),
    ('delete_message', 1),
    ('send_notice', 0),
    ('silence', 1),
    ('suspend', 1),
    ('ban', 1),
    ('lift_sanction', 1),
    ('add_note', 0),
    ('change_role', 1),
    ('pin_thread', 1),
    ('unpin_thread', 1),
    ('move_thread', 1),
    ('view_email', 0),                  -- an admin looked at a member's email address (P13)
    ('export_member_data', 0),          -- an admin exported a member's data for a lawful request (P12)
    ('edit_post', 1);                   -- staff edited someone else's post (earlier versions kept)
create trigger audit_actions_no_update before update on audit_actions
begin
    select raise(abort, 'audit_actions is append-only');
end;
create trigger audit_actions_no_delete before delete on audit_actions
begin
    select raise(abort, 'audit_actions is append-only');
end;

-- Every staff action. The database itself refuses to change or remove an entry.
-- actor_name and target_label are copied so the entry reads the same after renames.
create table audit_log (
    id             integer primary key,
    at             integer not null,
    actor_id       integer,
    actor_name     text not null default '',
    action         text not null references audit_actions(name),
    target_kind    text not null default '',         -- post, thread, message, user
    target_id      integer,
    target_user_id integer,
    target_label   text not null default '',
    target_url     text not null default '',
    reason         text not null default ''
);
create index audit_log_at on audit_log(at desc, id desc);
create index audit_log_action on audit_log(action, id desc);
create index audit_log_actor on audit_log(actor_id, id desc);
create index audit_log_target_user on audit_log(target_user_id, id desc);
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
