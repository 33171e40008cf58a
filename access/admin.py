"""The access log is not in the admin site: the administrator runs the organisation and sees no
client data; the log is read by the data-protection role on its own page (``access-log``),
where each read is itself logged."""
