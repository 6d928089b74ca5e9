-- Schema version 4: an account may have to choose its own password at its next sign-in
-- (etl.access.accounts: the first administrator, whose password was printed on the server's console).
-- Existing accounts keep theirs (false); the dashboard asks for nothing else until it is done.
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS must_change_password BOOLEAN DEFAULT false;
