"""The portal's core: agencies, officers and their performance record, logins,
administration, and the plugin machinery that the modules build on."""
