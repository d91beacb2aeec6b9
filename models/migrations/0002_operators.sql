-- Operator accounts, their signed-in sessions, and API tokens for scripts.
-- Session and API tokens are stored as SHA-256 hashes, never as issued.

CREATE TABLE operators (
  id {{id}},
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until {{time}},
  last_login_at {{time}},
  created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX operators_username ON operators (username);

CREATE TABLE operator_sessions (
  id {{id}},
  token_hash TEXT NOT NULL,
  operator_ref BIGINT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at {{time}} NOT NULL,
  expires_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX operator_sessions_token ON operator_sessions (token_hash);

CREATE TABLE api_tokens (
  id {{id}},
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at {{time}} NOT NULL,
  last_used_at {{time}}
);
CREATE UNIQUE INDEX api_tokens_name ON api_tokens (name);
CREATE UNIQUE INDEX api_tokens_token ON api_tokens (token_hash);
