"""The online door (网上信访): a matter sent from a phone with its attachments, received and
registered by the hall's staff, and followed to its end by the petitioner on their own page."""
