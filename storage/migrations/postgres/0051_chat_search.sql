-- Full-text search over chat messages, for the search page's chat tab; rowid is
-- chat_messages.id. The triggers index the Markdown source so the index is right whoever
-- changes a message; the server's AfterMessage hook then replaces it, in the same
-- transaction, with the plain text of the sanitised HTML. Hidden and deleted messages stay
-- indexed and every query filters them out, as post_search does for posts.
-- PostgreSQL: a stored tsvector with a GIN index; the key keeps FTS5's name, rowid.
create table chat_search (
    rowid    bigint primary key,
    body     text not null default '',
    document tsvector generated always as (to_tsvector('english', body)) stored
);
create index chat_search_document on chat_search using gin (document);

insert into chat_search(rowid, body) select id, source from chat_messages;

create function chat_search_insert() returns trigger language plpgsql as $$
begin
    insert into chat_search(rowid, body) values (new.id, new.source);
    return null;
end;
$$;
create trigger chat_search_insert after insert on chat_messages for each row execute function chat_search_insert();

create function chat_search_update() returns trigger language plpgsql as $$
begin
    update chat_search set body = new.source where rowid = new.id;
    return null;
end;
$$;
create trigger chat_search_update after update of source on chat_messages
    for each row when (new.source is distinct from old.source) execute function chat_search_update();

create function chat_search_delete() returns trigger language plpgsql as $$
begin
    delete from chat_search where rowid = old.id;
    return null;
end;
$$;
create trigger chat_search_delete after delete on chat_messages for each row execute function chat_search_delete();
