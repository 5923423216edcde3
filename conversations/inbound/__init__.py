"""Replies by e-mail: the receivers (`smtp`, `webhooks`) hand raw messages to `service.receive_message`."""
