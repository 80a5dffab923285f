-- A silence (alerts.silenced_until, V3) says who set it and why, so the page can show it and the next admin knows
-- whom to ask before lifting it. Both are cleared with the silence.
ALTER TABLE alerts ADD COLUMN silenced_by text;
ALTER TABLE alerts ADD COLUMN silence_reason text CHECK (length(silence_reason) <= 500);
