-- What iotum's webhooks carry that the models dropped: the conference's
-- join URL (enter_conference's meeting_url), the stream's preview
-- (stream_preview_updated's video_url and image_url, and when it was
-- made), and when a participant's role was given, so that a late event
-- does not undo a role change.
ALTER TABLE meetings ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE streams ADD COLUMN preview_url TEXT NOT NULL DEFAULT '';
ALTER TABLE streams ADD COLUMN preview_image_url TEXT NOT NULL DEFAULT '';
ALTER TABLE streams ADD COLUMN preview_at {{time}};
ALTER TABLE participants ADD COLUMN role_at {{time}};
