-- Retention removes old events from the log (models/retention.go).
-- pruned_before is the newest removed event's arrival: a rebuild keeps the
-- models of meetings whose history began before it, since the log no
-- longer holds their first events. While such a rebuild runs,
-- keep_before holds that time and rebuild_until the log's end when it
-- began (see models/rebuild.go).
ALTER TABLE projector_position ADD COLUMN pruned_before {{time}};
ALTER TABLE projector_position ADD COLUMN keep_before {{time}};
ALTER TABLE projector_position ADD COLUMN rebuild_until BIGINT NOT NULL DEFAULT 0;
