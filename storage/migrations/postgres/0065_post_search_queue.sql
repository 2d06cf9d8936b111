-- New posts reach the full-text index through this queue, many at a time, instead of one
-- by one in the write that publishes each. FTS5 writes its pending index out as a new
-- segment at every savepoint, and the writer gives every write its own savepoint, so a
-- post indexed in its own write cost a segment of its own: with many members posting at
-- once that was the largest part of the writer's time. A post's searchable text is
-- worked out before its write and queued with it, in the same transaction, so a crash
-- loses nothing: what is still queued when Stoa starts is indexed then.
create table post_search_queue (
    post_id bigint primary key,
    title   text not null,
    body    text not null
);
