-- The console's terminals page (issue 17) shows each terminal's last tap: the newest receipt per terminal.
CREATE INDEX taps_terminal ON taps (terminal_id, receipt);
