-- Moderator workflow (issue 15, bugs 4 and 6 and "Workflow"): incidents, what a decision
-- was about, reports agreed with after their content was removed, and notice templates.

-- An incident is a member's burst of reported conduct up to the first notice or sanction
-- a moderator gives for it. Every report about the member received before that action
-- committed belongs to it (reports.incident_id): the ones acted on are closed, the
-- others stay open, marked covered, and suggest no further notice or sanction.
create table mod_incidents (
    id          integer primary key,
    user_id     integer not null references users(id),
    created_by  integer references users(id),
    created_at  integer not null,
    summary     text not null default ''         -- what was done, e.g. "silenced for 1 day, notice sent"
);
create index mod_incidents_user on mod_incidents(user_id, id);

alter table reports add column incident_id integer references mod_incidents(id);
create index reports_incident on reports(target_user_id, incident_id);

-- about_kind/about_id name the reported thing or member a decision was taken on, so the
-- review page lists every entry of that decision: the notice and sanction (about the
-- member) and the thread closed (about the thread) as well as the post hidden.
alter table audit_log add column about_kind text not null default '';
alter table audit_log add column about_id integer;
create index audit_log_about on audit_log(about_kind, about_id, id desc);

insert into audit_actions(name, public) values
    ('agree_removed', 0),             -- reports closed as agreed: the author had already removed it
    ('edit_notice_template', 0);      -- an admin changed the notice templates

-- Canned notice texts, one or more per rule of the community agreement, edited by admins.
-- reasons lists the report reasons (comma-separated: spam,harassment,…) that this rule
-- answers: a report with one of them pre-ticks the rule and offers the template first.
create table notice_templates (
    id          integer primary key,
    rule_number integer not null check (rule_number > 0),
    title       text not null,
    body        text not null,
    reasons     text not null default '',
    updated_at  integer not null
);
create index notice_templates_rule on notice_templates(rule_number, id);
