-- An administrator can make a single-use password reset link for a member whom mail
-- cannot reach (issue 16). Making one is a staff action like any other: it is audited,
-- and not shown in the public moderation log.
insert into audit_actions(name, public) values ('password_reset_link', 0);
