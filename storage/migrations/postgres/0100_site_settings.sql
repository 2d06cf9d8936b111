-- Site settings (issue 16): what the admin calls the site and says about it, shown in
-- page titles and the header, feeds and mail, and whether they put the setup checklist
-- away. One row per setting; no personal data.
create table site_settings (
    name   text primary key,
    value  text not null
);

-- An admin changing the site's settings is a staff action like any other.
insert into audit_actions(name, public) values ('change_site_settings', 0);
