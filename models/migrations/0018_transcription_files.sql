-- Where a transcript is written (Daily's out_params.s3), as recordings
-- keep their files.
ALTER TABLE transcriptions ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
