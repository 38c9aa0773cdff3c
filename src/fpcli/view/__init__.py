"""`fpcli view`: any invoice or message fpcli reads, as one self-contained HTML page (or PDF) for people."""
