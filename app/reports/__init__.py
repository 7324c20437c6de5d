"""Worker reports: confidential intake, case handling, and public figures that identify no one."""
