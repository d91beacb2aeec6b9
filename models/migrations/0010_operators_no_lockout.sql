-- Failed sign-ins no longer lock an account: a lock told a stranger which
-- usernames exist (only they were ever locked) and let one lock the owner
-- out. The dashboard throttles failures per source address and username in
-- memory instead, so the account's failure count and lock go.
ALTER TABLE operators DROP COLUMN failed_logins;
ALTER TABLE operators DROP COLUMN locked_until;
