-- Lifting a sanction says why (shown on the member's record, not only in the audit log),
-- and whether it was applied in error: such a sanction never counts toward the next
-- suggested step (issue 15, bug 2). replaced_by names the heavier sanction that replaced
-- one in force: sanctions no longer stack (issue 15, bug 3).
alter table sanctions add column lift_reason text not null default '';
alter table sanctions add column lifted_in_error integer not null default 0 check (lifted_in_error in (0, 1));
alter table sanctions add column replaced_by integer references sanctions(id);
-- The member is told in their notices when a sanction is lifted; such a notice is not a
-- warning, so it does not count toward the next suggested step.
alter table notices add column lifted_sanction integer not null default 0 check (lifted_sanction in (0, 1));
