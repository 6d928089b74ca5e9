-- When the newest monthly report was received (the load time, or --received-on when given).
-- Grain: one row, one value (NULL on an empty warehouse).
SELECT max(received_at) AS last_received_at FROM report_submissions
