-- An edited post is indexed once, by the forum, with the plain text of its new HTML
-- (reindexPost, in the same transaction). The trigger of migration 0050 indexed the new
-- Markdown first, only for the forum to replace it at once: FTS5 tokenised every edit
-- twice inside the write, which for a 64 KiB post held up every other write. The trigger
-- now acts only when a post is emptied (erasure, purges), which the forum does in SQL.
drop trigger if exists post_search_update on posts;
create or replace function post_search_update() returns trigger language plpgsql as $$
begin
    update post_search set body = '' where rowid = new.id;
    return null;
end;
$$;
create trigger post_search_update after update of source on posts
    for each row when (new.source = '' and old.source <> '') execute function post_search_update();
