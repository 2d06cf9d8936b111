-- Pictures members upload as their avatar (issue 16). Decoded and encoded again on the
-- server before they are stored, so no metadata (camera, place, time) is kept; at most
-- 256×256 pixels, PNG or JPEG. Personal data the member chose to publish (P1: optional;
-- without one a picture is drawn from the username). In their export, removed when they
-- delete their account or the picture.
create table avatars (
    user_id       bigint primary key references users(id) on delete cascade,
    content_type  text not null check (content_type in ('image/png', 'image/jpeg')),
    image         bytea not null,
    updated_at    bigint not null
);
