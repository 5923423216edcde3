"""E-mail kinds of the engagement app: what to send to whom, rendered from templates/emails/."""
