-- Search (models/search.go) finds meetings by any part of their id, and
-- participants by any part of their name or id, whatever the case. SQLite
-- serves it from FTS5 tables with the trigram tokenizer, which match a
-- substring of three characters or more through their index, without
-- regard to case. Each holds a copy of its table's searched columns
-- (external content), kept by the triggers below: a participant's row is
-- rewritten at every join and leave, so its update trigger fires only when
-- a searched column changes.
CREATE VIRTUAL TABLE meetings_search USING fts5(meeting_id, content='meetings', content_rowid='id', tokenize='trigram');
INSERT INTO meetings_search (meetings_search) VALUES ('rebuild');
CREATE TRIGGER meetings_search_insert AFTER INSERT ON meetings BEGIN
  INSERT INTO meetings_search (rowid, meeting_id) VALUES (new.id, new.meeting_id);
END;
CREATE TRIGGER meetings_search_delete AFTER DELETE ON meetings BEGIN
  INSERT INTO meetings_search (meetings_search, rowid, meeting_id) VALUES ('delete', old.id, old.meeting_id);
END;
CREATE TRIGGER meetings_search_update AFTER UPDATE OF meeting_id ON meetings WHEN old.meeting_id IS NOT new.meeting_id BEGIN
  INSERT INTO meetings_search (meetings_search, rowid, meeting_id) VALUES ('delete', old.id, old.meeting_id);
  INSERT INTO meetings_search (rowid, meeting_id) VALUES (new.id, new.meeting_id);
END;

CREATE VIRTUAL TABLE participants_search USING fts5(name, participant_id, content='participants', content_rowid='id', tokenize='trigram');
INSERT INTO participants_search (participants_search) VALUES ('rebuild');
CREATE TRIGGER participants_search_insert AFTER INSERT ON participants BEGIN
  INSERT INTO participants_search (rowid, name, participant_id) VALUES (new.id, new.name, new.participant_id);
END;
CREATE TRIGGER participants_search_delete AFTER DELETE ON participants BEGIN
  INSERT INTO participants_search (participants_search, rowid, name, participant_id) VALUES ('delete', old.id, old.name, old.participant_id);
END;
CREATE TRIGGER participants_search_update AFTER UPDATE OF name, participant_id ON participants
  WHEN old.name IS NOT new.name OR old.participant_id IS NOT new.participant_id BEGIN
  INSERT INTO participants_search (participants_search, rowid, name, participant_id) VALUES ('delete', old.id, old.name, old.participant_id);
  INSERT INTO participants_search (rowid, name, participant_id) VALUES (new.id, new.name, new.participant_id);
END;
